package io.baton.orchestrator;

import com.typesafe.config.Config;

/** The orchestrator module's settings, read from {@code baton.orchestrator}. */
public record OrchestratorSettings(String nodeId, SimulatedFleet simulatedFleet, java.util.List<String> roles) {
  /** The cluster role of nodes that run a worker agent and its GPUs. */
  public static final String WORKER_ROLE = "worker";

  /** The simulated GPUs of dev mode. */
  public record SimulatedFleet(int hosts, int gpusPerHost, int spares, String model, int kvBlockCapacity) {
    public int gpus() {
      return hosts * gpusPerHost;
    }
  }

  public static OrchestratorSettings fromConfig(Config root) {
    Config f = root.getConfig("baton.orchestrator.simulated-fleet");
    return new OrchestratorSettings(
        root.getString("baton.orchestrator.node-id"),
        new SimulatedFleet(
            f.getInt("hosts"), f.getInt("gpus-per-host"), f.getInt("spares"), f.getString("model"),
            f.getInt("kv-block-capacity")),
        java.util.List.copyOf(root.getStringList("baton.orchestrator.cluster.roles")));
  }

  public boolean isWorker() {
    return roles.contains(WORKER_ROLE);
  }
}
