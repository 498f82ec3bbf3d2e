package io.baton.chaos;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What runs once before the first scenario, unmeasured, so that no scenario pays for cold JVMs. */
final class WarmUp {
  private static final Logger log = LoggerFactory.getLogger(WarmUp.class);

  private WarmUp() {}

  /**
   * A few unmeasured sessions through every node before the first scenario. Freshly started JVMs
   * compile the hot paths while they serve the first requests; on two cores that alone adds seconds
   * to the first placements and would be charged to the first scenario's faults.
   */
  static void run(ScenarioRunner.Options options, NodeDirectory directory, Fleet fleet, FaultInjector injector,
      Consumer<String> progress) {
    long t0 = System.nanoTime();
    Workload w = Workload.generate(options.seed() * 1_000 - 1, directory.size() * 2, 2, Duration.ofSeconds(4),
        directory.size(), 2);
    try (WorkloadRun run = WorkloadRun.start(w, directory, Instant.now().plus(options.settle()))) {
      migrateOnce(fleet, injector);
      run.await(Duration.ofSeconds(2), line -> { }, "warm-up");
      long finished = run.streamLogs().stream().filter(l -> l.outcome() == StreamLog.Outcome.FINISHED).count();
      progress.accept("warm-up: " + finished + "/" + w.completions().size() + " streams and a " + w.batch().size()
          + "-line batch in " + (System.nanoTime() - t0) / 1_000_000 + " ms (not measured)");
    }
  }

  /**
   * An app-fault XID on a busy GPU while the warm-up runs, so the migration path (fail, place
   * again, restore) is compiled too before the first scenario times one against its 1 s bound.
   * The GPU stays active; nothing here is measured.
   */
  private static void migrateOnce(Fleet fleet, FaultInjector injector) {
    Optional<Fault> xid = Optional.empty();
    for (int i = 0; i < 40 && xid.isEmpty(); i++) {
      Poll.pause(250); // until a warm-up session runs somewhere; there is nothing to wait on
      xid = new FaultPlan.XidOnBusyGpu(13).choose(new WarmUpTargets(fleet.gpus()));
    }
    try {
      if (xid.isPresent()) {
        injector.inject(xid.get(), fleet.gpus());
      }
    } catch (Exception e) {
      log.warn("warm-up XID not injected: {}", e.toString());
    }
  }

  /** Only GPUs matter to an XID plan. */
  private record WarmUpTargets(List<Fleet.Gpu> gpus) implements FaultPlan.Targets {
    public List<FaultPlan.RunningSession> running() {
      return List.of();
    }

    public Optional<String> hostOf(String sessionId) {
      return Optional.empty();
    }

    public Set<String> taken() {
      return Set.of();
    }

    public String oldestNode() {
      return "";
    }
  }

}
