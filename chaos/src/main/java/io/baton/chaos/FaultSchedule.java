package io.baton.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A scenario's faults in flight: one thread per planned fault waits for its offset, chooses its
 * target from live state (asking again for a few seconds when nothing qualifies yet, and starting a
 * reserve stream each second meanwhile, so the workload makes a target), injects it
 * and, for a timed fault, heals it. Faults planned at the same offset fire together (a storm).
 */
final class FaultSchedule {
  private static final Logger log = LoggerFactory.getLogger(FaultSchedule.class);
  static final Duration TARGET_PATIENCE = Duration.ofSeconds(8);
  /** How long a fault waits for the planned workload to give it a target before it adds a stream. */
  static final Duration RESERVE_EVERY = Duration.ofSeconds(1);

  private final List<Thread> threads = new ArrayList<>();

  static FaultSchedule start(Scenario scenario, Instant started, Duration duration, FaultInjector injector, Fleet fleet,
      WorkloadRun run, String oldestNode, List<FaultInjector.Injection> injections, List<String> notInjected) {
    FaultSchedule schedule = new FaultSchedule();
    Set<String> taken = ConcurrentHashMap.newKeySet();
    for (Scenario.At at : scenario.faults()) {
      Instant when = started.plusMillis((long) (duration.toMillis() * at.fraction()));
      Thread t = new Thread(() -> {
        Poll.pause(Math.max(0, Duration.between(Instant.now(), when).toMillis())); // the planned offset
        Optional<Fault> fault = Optional.empty();
        Instant giveUp = Instant.now().plus(TARGET_PATIENCE);
        Instant[] lastReserve = {Instant.now()};
        List<Fleet.Gpu> gpus = List.of();
        while (fault.isEmpty() && Instant.now().isBefore(giveUp)) {
          gpus = fleet.gpus();
          synchronized (taken) {
            boolean mayWait = Instant.now().isBefore(giveUp.minus(TARGET_PATIENCE.dividedBy(2)));
            fault = at.plan().choose(new LiveTargets(gpus, fleet, run, taken, oldestNode, mayWait));
            fault.ifPresent(f -> taken.add(f instanceof Fault.KillSessionHost k ? k.nodeId()
                : f instanceof Fault.KillEngine k ? k.gpu() : f instanceof Fault.KernelLogXid x ? x.gpu() : f.target()));
          }
          if (fault.isEmpty()) {
            // Nothing to hit yet: after a moment the workload makes a target, one stream at a time.
            if (at.plan().reserveHelps()
                && Duration.between(lastReserve[0], Instant.now()).compareTo(RESERVE_EVERY) >= 0) {
              lastReserve[0] = Instant.now();
              if (run.startReserve()) {
                log.info("chaos fault waits for a target scenario={} plan={}: started a reserve stream",
                    scenario.name(), at.plan());
              }
            }
            Poll.pause(250);
          }
        }
        if (fault.isEmpty()) {
          log.warn("chaos fault not injected scenario={} plan={}: no target qualified", scenario.name(), at.plan());
          notInjected.add(at.plan() + ": no target qualified within " + TARGET_PATIENCE.toSeconds() + " s");
          return;
        }
        try {
          injections.add(injector.inject(fault.get(), gpus));
        } catch (Exception e) {
          log.error("chaos fault injection failed fault={}", fault.get(), e);
          notInjected.add(fault.get() + ": injection failed: " + e);
        }
      }, "chaos-fault-" + scenario.name());
      t.setDaemon(true);
      t.start();
      schedule.threads.add(t);
    }
    return schedule;
  }

  void await() throws InterruptedException {
    for (Thread t : threads) {
      t.join();
    }
  }

  /** Live state for {@link FaultPlan#choose}; running sessions are read only when a plan asks. */
  private record LiveTargets(List<Fleet.Gpu> gpus, Fleet fleet, WorkloadRun run, Set<String> taken, String oldestNode,
      boolean mayWait)
      implements FaultPlan.Targets {
    public List<FaultPlan.RunningSession> running() {
      Map<String, String> nodeOfGpu = new java.util.HashMap<>();
      gpus.forEach(g -> nodeOfGpu.put(g.id(), g.node()));
      List<FaultPlan.RunningSession> out = new ArrayList<>();
      for (String id : run.accepted().values()) {
        Optional<JsonNode> view = fleet.session(id);
        String status = view.map(v -> v.path("status").asText()).orElse("");
        if (status.equals("generating") || status.equals("placed")) {
          JsonNode attempts = view.get().path("attempts");
          if (attempts.size() > 0) {
            String gpu = attempts.get(attempts.size() - 1).path("worker").asText();
            out.add(new FaultPlan.RunningSession(id, gpu, nodeOfGpu.getOrDefault(gpu, "?")));
          }
        }
      }
      return out;
    }

    public Optional<String> hostOf(String sessionId) {
      return fleet.hostOf(sessionId);
    }

    public OptionalInt waiting() {
      return fleet.waiting(Workload.MODEL);
    }
  }
}
