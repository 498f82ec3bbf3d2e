package io.baton.chaos;

import io.baton.chaos.FaultPlan.KernelLogXidOnBusyGpu;
import io.baton.chaos.FaultPlan.KillBusyEngine;
import io.baton.chaos.FaultPlan.KillBusyNode;
import io.baton.chaos.FaultPlan.KillHostOfRunningSession;
import io.baton.chaos.FaultPlan.PartitionBusyNode;
import io.baton.chaos.FaultPlan.PauseBusyNode;
import io.baton.chaos.FaultPlan.PauseCassandraFor;
import io.baton.chaos.FaultPlan.RestartCassandraNow;
import io.baton.chaos.FaultPlan.SlowBusyGpu;
import io.baton.chaos.FaultPlan.XidOnBusyGpu;
import io.baton.chaos.FaultPlan.XidOnBusyGpuWhenNothingWaits;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * One chaos scenario: a name, what it shows, and its faults. Offsets are fractions of the
 * scenario's workload duration, so a 10 s CI run and a 60 s full run hit the same phase of the
 * workload (sessions arrive over the first half; faults land while many run).
 */
record Scenario(String name, String description, List<At> faults, Optional<Workload.Shape> shape) {

  /** A scenario on the default workload. */
  Scenario(String name, String description, List<At> faults) {
    this(name, description, faults, Optional.empty());
  }

  /** A fault planned at {@code fraction} of the duration. */
  record At(double fraction, FaultPlan plan) {}

  /**
   * The batch of preempt-storm: at 20 s one wave of lines that all run at once, each 500-800 tokens
   * (10-16 s at 20 ms a token, far past baton.queues.min-run-time) with a short prompt, so each
   * fits baton-small's 1024-token context; longer runs take more waves. Bursts of 6 streams at 15%
   * and 25% of the duration (the second while the first's preempted lines still wait), and at 90%,
   * after the XID, as the batch drains.
   */
  static final Workload.Shape STORM = new Workload.Shape(0.65, 500, 800, List.of(0.15, 0.25, 0.9), 6, true);

  /**
   * A node pause this long outlasts failure detection (~2.5 s) but not downing (detection + 3 s
   * stable-after, ~5.5 s), with 1.5 s to spare on either side.
   */
  static final Duration PAUSE = Duration.ofSeconds(4);

  /** Outlasts detection + stable-after (~5.5 s) and the minority's own downing and stop. */
  static final Duration LONG_PARTITION = Duration.ofSeconds(15);

  static final List<Scenario> ALL = List.of(
      new Scenario("xid-app", "app-fault XIDs (13, then 43) on busy GPUs: sessions move, GPUs stay active",
          List.of(new At(0.3, new XidOnBusyGpu(13)), new At(0.55, new XidOnBusyGpu(43)))),
      new Scenario("xid-reset", "reset-class XIDs (48, then 119): cordon, migrate at once, reset, health check, spare",
          List.of(new At(0.3, new XidOnBusyGpu(48)), new At(0.55, new XidOnBusyGpu(119)))),
      new Scenario("xid-node-fatal", "node-fatal XID 79: the host's GPUs are cordoned, sessions migrate, spares promoted",
          List.of(new At(0.35, new XidOnBusyGpu(79)))),
      new Scenario("xid-storm", "several XID classes at once on different busy GPUs (13, 48, 74, 31)",
          List.of(new At(0.35, new XidOnBusyGpu(13)), new At(0.35, new XidOnBusyGpu(48)),
              new At(0.35, new XidOnBusyGpu(74)), new At(0.4, new XidOnBusyGpu(31)))),
      new Scenario("worker-kill", "kill -9 of the busiest worker node (not the oldest): its sessions migrate",
          List.of(new At(0.35, new KillBusyNode()))),
      new Scenario("session-host-kill", "kill -9 of the node hosting a running session's entity: recovered from"
          + " the journal on a survivor after downing; its worker keeps appending",
          List.of(new At(0.35, new KillHostOfRunningSession()))),
      new Scenario("node-pause", "SIGSTOP of the busiest node for 4 s (a long GC pause), then SIGCONT",
          List.of(new At(0.35, new PauseBusyNode(PAUSE)))),
      new Scenario("partition", "the busiest node's network to the other nodes cut for 4 s (Cassandra reachable"
          + " from both sides): its sessions migrate at detection; fenced when it returns",
          List.of(new At(0.35, new PartitionBusyNode(PAUSE)))),
      new Scenario("partition-long", "the busiest node cut off for 15 s: the resolver downs the minority, which"
          + " stops; its entities restart on the majority from the journal",
          List.of(new At(0.3, new PartitionBusyNode(LONG_PARTITION)))),
      new Scenario("cassandra-stall", "SIGSTOP of Cassandra for 4 s, then SIGCONT: every journal write stalls",
          List.of(new At(0.35, new PauseCassandraFor(PAUSE)))),
      new Scenario("cassandra-restart", "Cassandra stopped and started again mid-run",
          List.of(new At(0.35, new RestartCassandraNow()))),
      new Scenario("slow-gpu", "the busiest GPU decodes 4x slower for 6 s: sessions finish, exactly, late",
          List.of(new At(0.3, new SlowBusyGpu(4.0, Duration.ofSeconds(6))))),
      // Last: the scenarios before it keep their ordinals in `all`, and so their workload seeds.
      new Scenario("preempt-storm", "a batch fills every place; two bursts of interactive streams make the queue"
          + " preempt batch lines, which resume token-exact once the bursts are served; then an app-fault XID (13) on"
          + " a busy GPU as the batch starts to drain, held back while anything waits in the queue, so each session"
          + " it moves has a place and is held to the 1 s bound; a last burst after it. Preempted attempts are"
          + " counted (at least one must happen) but not timed: a preempted line waits for the interactive work by"
          + " design, which is queueing, not recovery from a fault",
          List.of(new At(0.7, new XidOnBusyGpuWhenNothingWaits(13))), Optional.of(STORM)));

  /**
   * Scenarios that need each GPU's engine as a process and a kernel log the nodes follow
   * ({@code chaos run --engines external}); {@code all} includes them then, after the others.
   */
  static final List<Scenario> EXTERNAL_ENGINES = List.of(
      new Scenario("engine-kill", "kill -9 of the busiest GPU's engine server process: its sessions resume"
          + " elsewhere at once (engine lost), the GPU leaves rotation and the active pool is refilled",
          List.of(new At(0.35, new KillBusyEngine()))),
      new Scenario("kmsg-xid", "an `NVRM: Xid (PCI:...): 48` line in the kernel log for the busiest GPU: the"
          + " watcher maps its bus id, the GPU is cordoned, its sessions migrate, it is reset and checked",
          List.of(new At(0.35, new KernelLogXidOnBusyGpu(48)))));

  static Optional<Scenario> named(String name) {
    return Stream.concat(ALL.stream(), EXTERNAL_ENGINES.stream()).filter(s -> s.name().equals(name)).findFirst();
  }

  static boolean needsExternalEngines(Scenario scenario) {
    return EXTERNAL_ENGINES.contains(scenario);
  }

  static List<String> names() {
    return ALL.stream().map(Scenario::name).toList();
  }
}
