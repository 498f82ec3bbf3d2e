package io.baton.orchestrator.observe;

import io.baton.actors.worker.GpuStatus;
import io.baton.actors.worker.GpuWorker;
import io.baton.actors.worker.GpuWorkerCommand;
import io.baton.actors.worker.GpuWorkerState;
import io.baton.workers.agent.GpuReport;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * The fleet by GPU status, cluster-wide: {@code baton_gpus{model,status}}, where status is active,
 * spare (the spare pool), suspect, cordoned, draining, resetting or retired. Every node shows the
 * same values (aggregate with max, not sum), so the fleet stays visible while any node is scraped.
 *
 * <p>The view is the GpuWorker entities' own status: their announcements on the state topic, and,
 * because an announcement to a cut-off node is lost, their answer to a GetState every
 * {@link #REFRESH}, as the fleet controller does. GPUs are learnt of from agents' reports. A GPU
 * stays counted after its node is lost (its entity says suspect), except a retired one that no agent
 * reported for {@link #FORGET_RETIRED}: it was taken out of the hosts' configuration.
 */
public final class FleetMeters {
  static final Duration REFRESH = Duration.ofSeconds(30);
  static final Duration FORGET_RETIRED = Duration.ofMinutes(10);
  private static final Duration ASK_TIMEOUT = Duration.ofSeconds(5);

  private record Gpu(String model, GpuStatus status) {}

  private sealed interface Command {}

  private record StateHeard(GpuWorkerState state) implements Command {}

  private record ReportHeard(GpuReport report) implements Command {}

  private record Refresh() implements Command {}

  private final Map<String, Gpu> gpus = new ConcurrentHashMap<>();
  private final Map<String, Instant> reportedAt = new ConcurrentHashMap<>();
  private final Set<String> models = ConcurrentHashMap.newKeySet();
  private final MeterRegistry registry;

  private FleetMeters(MeterRegistry registry) {
    this.registry = registry;
  }

  public static Behavior<?> create(MeterRegistry registry, ActorRef<Topic.Command<GpuWorkerState>> gpuStates,
      ActorRef<Topic.Command<GpuReport>> gpuReports) {
    FleetMeters meters = new FleetMeters(registry);
    return Behaviors.<Command>setup(context -> Behaviors.withTimers(timers -> {
      gpuStates.tell(Topic.subscribe(context.messageAdapter(GpuWorkerState.class, StateHeard::new)));
      gpuReports.tell(Topic.subscribe(context.messageAdapter(GpuReport.class, ReportHeard::new)));
      timers.startTimerWithFixedDelay(new Refresh(), REFRESH);
      return Behaviors.receive(Command.class)
          .onMessage(StateHeard.class, m -> meters.heard(m.state()))
          .onMessage(ReportHeard.class, m -> meters.reported(context, m.report()))
          .onMessage(Refresh.class, m -> meters.refresh(context))
          .build();
    }));
  }

  private Behavior<Command> heard(GpuWorkerState state) {
    if (state != null && state.gpu() != null && state.status() != GpuStatus.UNREGISTERED) {
      gpus.put(state.workerId(), new Gpu(state.gpu().model(), state.status()));
      registerModel(state.gpu().model());
    }
    return Behaviors.same();
  }

  private Behavior<Command> reported(ActorContext<Command> context, GpuReport report) {
    reportedAt.put(report.gpuId(), Instant.now());
    if (!gpus.containsKey(report.gpuId())) {
      ask(context, report.gpuId());
    }
    return Behaviors.same();
  }

  private Behavior<Command> refresh(ActorContext<Command> context) {
    Instant forgetBefore = Instant.now().minus(FORGET_RETIRED);
    gpus.entrySet().removeIf(e -> e.getValue().status() == GpuStatus.RETIRED
        && reportedAt.getOrDefault(e.getKey(), Instant.EPOCH).isBefore(forgetBefore));
    gpus.keySet().forEach(id -> ask(context, id));
    return Behaviors.same();
  }

  private void ask(ActorContext<Command> context, String gpuId) {
    context.ask(GpuWorkerState.class,
        ClusterSharding.get(context.getSystem()).entityRefFor(GpuWorker.ENTITY_KEY, gpuId), ASK_TIMEOUT,
        GpuWorkerCommand.GetState::new, (state, error) -> new StateHeard(error == null ? state : null));
  }

  /** Every status of a model has its series from the model's first GPU on: an empty pool reads 0, not absent. */
  private void registerModel(String model) {
    if (!models.add(model)) {
      return;
    }
    Arrays.stream(GpuStatus.values()).filter(s -> s != GpuStatus.UNREGISTERED).forEach(status ->
        Gauge.builder("baton.gpus", gpus, g -> g.values().stream()
                .filter(gpu -> gpu.status() == status && gpu.model().equals(model)).count())
            .description("GPUs of the fleet by model and status (cluster-wide: every node shows the same)")
            .tag("model", model).tag("status", status.name().toLowerCase(Locale.ROOT))
            .strongReference(true).register(registry));
  }
}
