package io.baton.chaos;

import io.baton.chaos.report.GpuChange;
import io.baton.chaos.report.GpuRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Samples {@code /admin/workers} every 500 ms during a scenario and keeps each GPU's changes of
 * state (with who and why, as the GpuWorker recorded them). The API shows only a GPU's latest
 * change, so a change that is overtaken within one sample is missed; the row's {@code since} is the
 * entity's own time of the change, which is what the report shows.
 */
final class FleetWatch implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(FleetWatch.class);

  private final Fleet fleet;
  private final Map<String, String> nodeOf = new LinkedHashMap<>();
  private final Map<String, List<GpuChange>> changes = new LinkedHashMap<>();
  private final Map<String, Fleet.Gpu> last = new LinkedHashMap<>();
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "chaos-fleet-watch");
    t.setDaemon(true);
    return t;
  });

  FleetWatch(Fleet fleet) {
    this.fleet = fleet;
  }

  FleetWatch start() {
    sample();
    timer.scheduleWithFixedDelay(this::sample, 500, 500, TimeUnit.MILLISECONDS);
    return this;
  }

  synchronized void sample() {
    List<Fleet.Gpu> gpus = fleet.gpus();
    for (Fleet.Gpu gpu : gpus) {
      nodeOf.put(gpu.id(), gpu.node());
      Fleet.Gpu before = last.put(gpu.id(), gpu);
      if (before == null || !before.state().equals(gpu.state()) || !java.util.Objects.equals(before.since(), gpu.since())) {
        Instant at = gpu.since() == null ? Instant.now() : Instant.parse(gpu.since());
        changes.computeIfAbsent(gpu.id(), k -> new ArrayList<>())
            .add(new GpuChange(at, gpu.state(), gpu.by(), gpu.reason()));
        if (before != null) {
          log.info("chaos gpu change gpu={} from={} to={} by={} reason=\"{}\"", gpu.id(), before.state(), gpu.state(),
              gpu.by(), gpu.reason());
        }
      }
    }
  }

  /** The GPUs as last seen; a GPU no agent reports any more (its node is down) keeps its last row. */
  synchronized List<Fleet.Gpu> lastSeen() {
    return List.copyOf(last.values());
  }

  /** Each GPU's record; {@code current} is the final sample, and a GPU absent from it is "unreported". */
  synchronized List<GpuRecord> records(List<Fleet.Gpu> current) {
    Map<String, String> finalState = new LinkedHashMap<>();
    current.forEach(g -> finalState.put(g.id(), g.state()));
    List<GpuRecord> out = new ArrayList<>();
    for (Map.Entry<String, List<GpuChange>> e : changes.entrySet()) {
      out.add(new GpuRecord(e.getKey(), nodeOf.get(e.getKey()),
          finalState.getOrDefault(e.getKey(), "unreported (node down)"), e.getValue()));
    }
    return out;
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
