package io.baton.orchestrator;

import io.baton.actors.worker.GpuSpec;
import io.baton.actors.worker.Pool;
import io.baton.workers.WorkersSettings;
import io.baton.workers.agent.WorkerAgent;
import io.baton.workers.agent.WorkerAgent.AgentGpu;
import io.baton.workers.engine.BlockCache;
import io.baton.workers.engine.ModelSpec;
import io.baton.workers.engine.ReferenceEngine;
import io.baton.workers.engine.remote.RemoteEngine;
import io.baton.workers.host.GpuInventory;
import io.baton.workers.host.SimulatedGpus;
import java.util.ArrayList;
import java.util.List;

/**
 * Dev mode's simulated GPUs: reference engines grouped into simulated hosts, each with its own KV
 * cache (its GPU memory) and fault hooks. Registration is the agent's job and idempotent, so after a
 * restart the GpuWorker entities keep what they knew: a GPU cordoned before stays cordoned.
 */
public final class FleetBootstrap {
  private FleetBootstrap() {}

  public static String workerId(String hostId, int gpuIndex) {
    return WorkerAgent.workerId(hostId, gpuIndex);
  }

  /** The simulated GPUs: the last {@code spares} GPUs of the fleet start in the spare pool. */
  public static List<GpuSpec> simulatedGpus(String nodeId, OrchestratorSettings.SimulatedFleet fleet) {
    List<GpuSpec> gpus = new ArrayList<>();
    for (int h = 0; h < fleet.hosts(); h++) {
      for (int g = 0; g < fleet.gpusPerHost(); g++) {
        // Host ids carry the node id: GPU worker ids must be unique across the cluster.
        gpus.add(new GpuSpec(nodeId, hostId(nodeId, h), g, fleet.model(), fleet.kvBlockCapacity()));
      }
    }
    return gpus;
  }

  public static String hostId(String nodeId, int host) {
    return nodeId + "-host" + host;
  }

  /** The agent's GPUs as the kernel-log watcher maps XIDs to them: simulated GPUs have simulated UUIDs. */
  public static List<GpuInventory.Local> inventoryLocals(List<AgentGpu> gpus) {
    return gpus.stream().map(g -> new GpuInventory.Local(g.gpuId(), g.spec().gpuIndex(), uuid(g))).toList();
  }

  /** A configured GPU's own UUID when its configuration names one, else its simulated one. */
  private static String uuid(AgentGpu gpu) {
    return gpu.engine() instanceof RemoteEngine remote && remote.settings().gpuUuid() != null
        ? remote.settings().gpuUuid() : SimulatedGpus.uuid(gpu.gpuId());
  }

  /** The simulated GPUs with their engines, ready for the worker agent. */
  public static List<AgentGpu> simulatedFleet(String nodeId, OrchestratorSettings.SimulatedFleet fleet,
      WorkersSettings workers) {
    List<GpuSpec> gpus = simulatedGpus(nodeId, fleet);
    ModelSpec model = workers.engine().model(fleet.model()).orElseThrow(() -> new IllegalArgumentException(
        "baton.orchestrator.simulated-fleet.model is " + fleet.model() + ", but baton.workers.engine.models has "
            + workers.engine().models().stream().map(ModelSpec::id).toList()));
    int firstSpare = gpus.size() - fleet.spares();
    List<AgentGpu> out = new ArrayList<>();
    for (int i = 0; i < gpus.size(); i++) {
      GpuSpec gpu = gpus.get(i);
      ReferenceEngine engine = new ReferenceEngine(model, workers.engine().timing(), new BlockCache(gpu.kvBlockCapacity()));
      out.add(new AgentGpu(gpu, i >= firstSpare ? Pool.SPARE : Pool.ACTIVE, engine));
    }
    return out;
  }
}
