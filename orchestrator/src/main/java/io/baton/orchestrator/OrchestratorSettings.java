package io.baton.orchestrator;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** The orchestrator module's settings, read from {@code baton.orchestrator}. */
public record OrchestratorSettings(String nodeId, SimulatedFleet simulatedFleet, List<String> roles, Feed feed) {
  /** The cluster role of nodes that run a worker agent and its GPUs. */
  public static final String WORKER_ROLE = "worker";

  /** Where the simulated GPUs' engines run. */
  public enum Engines {
    /** Reference engines inside the node: the fastest dev loop, and what the chaos suite uses. */
    IN_PROCESS,
    /** One {@code baton engine serve} child process per GPU, driven over HTTP like a real host's. */
    EXTERNAL;

    static Engines of(String value) {
      return switch (value) {
        case "in-process" -> IN_PROCESS;
        case "external" -> EXTERNAL;
        default -> throw new IllegalArgumentException(
            "baton.orchestrator.simulated-fleet.engines is '" + value + "'; use in-process or external");
      };
    }
  }

  /**
   * The simulated GPUs of dev mode.
   *
   * @param engineLogDir where external engines' output goes, one file per GPU
   */
  public record SimulatedFleet(int hosts, int gpusPerHost, int spares, String model, int kvBlockCapacity,
      Engines engines, Path engineLogDir) {
    public int gpus() {
      return hosts * gpusPerHost;
    }
  }

  /**
   * The admin event feed's history on each node: what a console gets when it connects, and how far
   * back {@code Last-Event-ID} can resume.
   *
   * @param history the most entries kept
   * @param historyAge entries older than this are dropped
   * @param recentSessions the most sessions the console's session list remembers
   */
  public record Feed(int history, Duration historyAge, int recentSessions) {}

  public static OrchestratorSettings fromConfig(Config root) {
    Config f = root.getConfig("baton.orchestrator.simulated-fleet");
    return new OrchestratorSettings(
        root.getString("baton.orchestrator.node-id"),
        new SimulatedFleet(
            f.getInt("hosts"), f.getInt("gpus-per-host"), f.getInt("spares"), f.getString("model"),
            f.getInt("kv-block-capacity"), Engines.of(f.getString("engines")), Path.of(f.getString("engine-log-dir"))),
        List.copyOf(root.getStringList("baton.orchestrator.cluster.roles")),
        new Feed(root.getInt("baton.orchestrator.feed.history"), root.getDuration("baton.orchestrator.feed.history-age"),
            root.getInt("baton.orchestrator.feed.recent-sessions")));
  }

  public boolean isWorker() {
    return roles.contains(WORKER_ROLE);
  }
}
