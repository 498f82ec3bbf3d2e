package io.baton.chaos;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * A fault as a scenario schedules it: what kind, and how to choose its target from live state when
 * its time comes (an XID goes to a GPU that is running sessions right now, a kill to the busiest
 * node). {@link #choose} returns empty when no target qualifies yet; the injector asks again.
 */
sealed interface FaultPlan {

  Optional<Fault> choose(Targets targets);

  /** What a plan may look at: live GPU rows, running sessions, and targets already taken this scenario. */
  interface Targets {
    List<Fleet.Gpu> gpus();

    /** Sessions the workload has had accepted and that are generating now, each with its GPU. */
    List<RunningSession> running();

    Optional<String> hostOf(String sessionId);

    /** GPUs and nodes already hit in this scenario: a storm spreads over different GPUs. */
    Set<String> taken();

    /** The oldest node (node-1): seed and singleton host, which this suite does not kill (see KillBusyNode). */
    String oldestNode();

    /**
     * True for the first half of a plan's patience: a node fault then waits for a node whose GPUs
     * run sessions, so that it hits something to measure; later any eligible node will do.
     */
    default boolean mayWait() {
      return false;
    }

    /** Sessions waiting in the workload model's admission queue; empty when no node could say. */
    default OptionalInt waiting() {
      return OptionalInt.of(0);
    }
  }

  /**
   * Whether a stream from the workload's reserve, started while this plan finds no target, can
   * make one. True for plans that wait for running sessions.
   */
  default boolean reserveHelps() {
    return true;
  }

  record RunningSession(String sessionId, String gpu, String gpuNode) {}

  /** An XID of {@code code} on the active GPU running the most sessions, not yet hit in this scenario. */
  record XidOnBusyGpu(int code) implements FaultPlan {
    public Optional<Fault> choose(Targets t) {
      return busiestGpu(t).map(g -> new Fault.XidFault(g.id(), code));
    }
  }

  /**
   * An XID as {@link XidOnBusyGpu}, but held back, for the first half of its patience, while
   * sessions wait in the admission queue: each session it moves then has a place to go at once, so
   * its recovery times the XID's handling, not the queue's order (waiting interactive work and
   * preempted lines are served first by design). After that it hits the busiest GPU regardless.
   */
  record XidOnBusyGpuWhenNothingWaits(int code) implements FaultPlan {
    public Optional<Fault> choose(Targets t) {
      if (t.mayWait() && t.waiting().orElse(1) > 0) {
        return Optional.empty();
      }
      return busiestGpu(t).map(g -> new Fault.XidFault(g.id(), code));
    }

    /** A reserve stream would only add to the queue this plan waits to see empty. */
    @Override
    public boolean reserveHelps() {
      return false;
    }
  }

  /**
   * kill -9 of the node whose GPUs run the most sessions, never the oldest while another node is
   * up: killing the oldest also moves the shard coordinator and the fleet controller singletons,
   * which adds a coordinator failover (about 3 s on this box, seen in CI) to the sessions it hosts,
   * and holds every other region's lookups of shard homes until it is done.
   */
  record KillBusyNode() implements FaultPlan {
    public Optional<Fault> choose(Targets t) {
      // The oldest only when no other node is left to kill: while waiting, the workload makes a target.
      return busiestNode(t, true).or(() -> noOtherNode(t) ? busiestNode(t, false) : Optional.empty())
          .map(Fault.KillNode::new);
    }
  }

  /**
   * kill -9 of the node hosting a running session's entity. Preferred: a session hosted on a node
   * other than the oldest and generating on another node's GPU, so the worker outlives the host and
   * must keep appending to the entity's next incarnation; the oldest node only as a last resort.
   */
  record KillHostOfRunningSession() implements FaultPlan {
    public Optional<Fault> choose(Targets t) {
      Fault best = null;
      Fault oldest = null;
      for (RunningSession s : t.running()) {
        Optional<String> host = t.hostOf(s.sessionId());
        if (host.isEmpty()) {
          continue;
        }
        Fault candidate = new Fault.KillSessionHost(s.sessionId(), host.get());
        if (host.get().equals(t.oldestNode())) {
          oldest = oldest == null ? candidate : oldest;
        } else if (!host.get().equals(s.gpuNode())) {
          return Optional.of(candidate);
        } else {
          best = best == null ? candidate : best;
        }
      }
      // The oldest only once waiting for another host ran out: meanwhile the workload makes one.
      return Optional.ofNullable(best != null ? best : t.mayWait() ? null : oldest);
    }
  }

  /**
   * SIGSTOP of the node whose GPUs run the most sessions, for {@code pause}; not the oldest while
   * another node is up (see KillBusyNode): a frozen shard coordinator also holds up every region's
   * first lookup of a shard's home, so sessions placed meanwhile wait for the SIGCONT.
   */
  record PauseBusyNode(Duration pause) implements FaultPlan {
    public Optional<Fault> choose(Targets t) {
      return busiestNode(t, true).map(n -> new Fault.PauseNode(n, pause));
    }
  }

  /** The busiest node other than the oldest cut off from the rest for {@code lasting} (see KillBusyNode). */
  record PartitionBusyNode(Duration lasting) implements FaultPlan {
    public Optional<Fault> choose(Targets t) {
      return busiestNode(t, true).map(n -> new Fault.PartitionNode(n, lasting));
    }
  }

  record PauseCassandraFor(Duration pause) implements FaultPlan {
    public Optional<Fault> choose(Targets t) {
      return busy(t) ? Optional.of(new Fault.PauseCassandra(pause)) : Optional.empty();
    }
  }

  record RestartCassandraNow() implements FaultPlan {
    public Optional<Fault> choose(Targets t) {
      return busy(t) ? Optional.of(new Fault.RestartCassandra()) : Optional.empty();
    }
  }

  record SlowBusyGpu(double factor, Duration lasting) implements FaultPlan {
    public Optional<Fault> choose(Targets t) {
      return busiestGpu(t).map(g -> new Fault.SlowGpu(g.id(), factor, lasting));
    }
  }

  /** kill -9 of the engine server of the active GPU running the most sessions. */
  record KillBusyEngine() implements FaultPlan {
    public Optional<Fault> choose(Targets t) {
      return busiestGpu(t).filter(g -> g.enginePid() != null).map(g -> new Fault.KillEngine(g.id(), g.enginePid()));
    }
  }

  /** An XID line in the kernel log for the active GPU running the most sessions, named by its PCI bus id. */
  record KernelLogXidOnBusyGpu(int code) implements FaultPlan {
    public Optional<Fault> choose(Targets t) {
      return busiestGpu(t).filter(g -> g.pciBusId() != null)
          .map(g -> new Fault.KernelLogXid(g.id(), g.pciBusId(), code));
    }
  }

  /**
   * Some GPU runs a session now. From the GPU rows already fetched: reading every session's view
   * takes a round trip each, too slow to catch short sessions between polls.
   */
  private static boolean busy(Targets t) {
    return t.gpus().stream().anyMatch(g -> g.activeSessions() > 0);
  }

  private static Optional<Fleet.Gpu> busiestGpu(Targets t) {
    return t.gpus().stream()
        .filter(g -> g.state().equals("active") && g.activeSessions() > 0 && !t.taken().contains(g.id()))
        .max(Comparator.comparingInt(Fleet.Gpu::activeSessions).thenComparing(Fleet.Gpu::id));
  }

  /** No GPU of the fleet is on a node other than the oldest that this scenario has not hit yet. */
  private static boolean noOtherNode(Targets t) {
    return t.gpus().stream().allMatch(g -> g.node().equals(t.oldestNode()) || t.taken().contains(g.node()));
  }

  private static Optional<String> busiestNode(Targets t, boolean spareOldest) {
    return t.gpus().stream()
        .filter(g -> !(spareOldest && g.node().equals(t.oldestNode())) && !t.taken().contains(g.node()))
        .collect(java.util.stream.Collectors.groupingBy(Fleet.Gpu::node,
            java.util.stream.Collectors.summingInt(Fleet.Gpu::activeSessions)))
        // Sparing the oldest, any other node will do once waiting for a busy one ran out, even one
        // whose GPUs are idle: it still hosts session entities, and killing the oldest adds a
        // shard-coordinator failover.
        .entrySet().stream().filter(e -> (spareOldest && !t.mayWait()) || e.getValue() > 0)
        .max(java.util.Map.Entry.<String, Integer>comparingByValue().thenComparing(java.util.Map.Entry.comparingByKey()))
        .map(java.util.Map.Entry::getKey);
  }
}
