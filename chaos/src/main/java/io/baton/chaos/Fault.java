package io.baton.chaos;

import java.time.Duration;

/**
 * A fault with its target chosen: what {@link FaultInjector} does to the cluster. Targets come from
 * live state at injection time ({@link FaultPlan} picks them), so each record names a concrete GPU,
 * node or session.
 */
sealed interface Fault {

  /** A short stable name for reports and recovery bounds, e.g. "xid-79" or "kill-node". */
  String kind();

  String target();

  /** An XID on a GPU, through {@code POST /admin/chaos/workers/{gpu}/xid}, as if the kernel log reported it. */
  record XidFault(String gpu, int code) implements Fault {
    public String kind() {
      return "xid-" + code;
    }

    public String target() {
      return gpu;
    }
  }

  /** kill -9 of a node's JVM; the runner starts it again between scenarios. */
  record KillNode(String nodeId) implements Fault {
    public String kind() {
      return "kill-node";
    }

    public String target() {
      return nodeId;
    }
  }

  /** kill -9 of the node whose shard region hosts {@code sessionId}'s entity. */
  record KillSessionHost(String sessionId, String nodeId) implements Fault {
    public String kind() {
      return "kill-session-host";
    }

    public String target() {
      return nodeId + " (hosts " + sessionId + ")";
    }
  }

  /** SIGSTOP, then SIGCONT after {@code pause}: a very long GC pause. */
  record PauseNode(String nodeId, Duration pause) implements Fault {
    public String kind() {
      return "pause-node";
    }

    public String target() {
      return nodeId;
    }
  }

  /**
   * The network between {@code nodeId} and the other nodes cut, both ways, for {@code lasting}, then
   * restored; Cassandra and the suite's clients stay reachable from both sides. Shorter than
   * detection + stable-after it heals before downing (the node returns, fenced); longer, the split
   * brain resolver downs the minority, which stops, and the runner restarts it.
   */
  record PartitionNode(String nodeId, Duration lasting) implements Fault {
    public String kind() {
      return "partition";
    }

    public String target() {
      return nodeId;
    }
  }

  /** SIGSTOP of the Cassandra process, SIGCONT after {@code pause}: every journal write stalls. */
  record PauseCassandra(Duration pause) implements Fault {
    public String kind() {
      return "pause-cassandra";
    }

    public String target() {
      return "cassandra";
    }
  }

  /** Cassandra stopped and started again on the same data. */
  record RestartCassandra() implements Fault {
    public String kind() {
      return "restart-cassandra";
    }

    public String target() {
      return "cassandra";
    }
  }

  /** kill -9 of the engine server process serving {@code gpu} (a node run with external engines). */
  record KillEngine(String gpu, long pid) implements Fault {
    public String kind() {
      return "kill-engine";
    }

    public String target() {
      return gpu + " (engine pid " + pid + ")";
    }
  }

  /**
   * An {@code NVRM: Xid} line appended to the kernel log the nodes follow: the real path, through
   * the watcher, the inventory and the PCI bus id, rather than the admin route.
   */
  record KernelLogXid(String gpu, String pciBusId, int code) implements Fault {
    public String kind() {
      return "kmsg-xid-" + code;
    }

    public String target() {
      return gpu + " (PCI " + pciBusId + ")";
    }
  }

  /** A GPU that decodes {@code factor} times slower for {@code lasting}, then normally again. */
  record SlowGpu(String gpu, double factor, Duration lasting) implements Fault {
    public String kind() {
      return "slow-gpu";
    }

    public String target() {
      return gpu;
    }
  }
}
