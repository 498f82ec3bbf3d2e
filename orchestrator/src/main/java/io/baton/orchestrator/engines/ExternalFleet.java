package io.baton.orchestrator.engines;

import io.baton.actors.worker.GpuSpec;
import io.baton.actors.worker.Pool;
import io.baton.workers.WorkersSettings;
import io.baton.workers.agent.WorkerAgent;
import io.baton.workers.agent.WorkerAgent.AgentGpu;
import io.baton.workers.engine.EngineSettings;
import io.baton.workers.engine.ModelSpec;
import io.baton.workers.engine.ReferenceTokenizer;
import io.baton.workers.engine.remote.EngineKind;
import io.baton.workers.engine.remote.RemoteEngine;
import io.baton.workers.engine.remote.RemoteEngineSettings;
import io.baton.workers.host.SimulatedGpus;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * The dev fleet with its GPUs' engines as processes ({@code --engines external}): each simulated
 * GPU is a {@code baton engine serve} child with the GPU's simulated UUID and PCI bus id, and the
 * agent drives it over HTTP as it would a vLLM server on a real host.
 */
public final class ExternalFleet {
  private ExternalFleet() {}

  /**
   * Starts one engine server per GPU (in order, each waited for) and returns the agent's GPUs.
   *
   * @param firstSpare the index of the first GPU that starts in the spare pool
   */
  public static List<AgentGpu> start(String nodeId, List<GpuSpec> gpus, int firstSpare, ModelSpec model,
      WorkersSettings workers, EngineProcesses processes, Path logDir, ActorSystem<?> system) throws IOException {
    EngineSettings engine = workers.engine();
    // The children simulate the same GPU timing as an in-process fleet would.
    Map<String, String> childSettings = Map.of(
        "baton.workers.engine.timing.prefill-per-token", engine.timing().prefillPerToken().toNanos() + "ns",
        "baton.workers.engine.timing.decode-per-token", engine.timing().decodePerToken().toNanos() + "ns",
        "baton.workers.engine.cache-capacity-blocks", String.valueOf(engine.cacheCapacityBlocks()));
    List<AgentGpu> out = new ArrayList<>();
    for (int i = 0; i < gpus.size(); i++) {
      GpuSpec gpu = gpus.get(i);
      String gpuId = WorkerAgent.workerId(gpu);
      String uuid = SimulatedGpus.uuid(gpuId);
      String pci = SimulatedGpus.pciBusId(nodeId, i);
      EngineProcesses.Launched launched = processes.launch(model.id(), uuid, pci, childSettings,
          logDir.resolve(gpuId + ".log"), engine.remote().startTimeout());
      RemoteEngineSettings settings = RemoteEngineSettings.of(engine.remote(), EngineKind.BATON, launched.url(),
          model.id(), uuid, pci, gpu.gpuIndex(), null);
      out.add(new AgentGpu(gpu, i >= firstSpare ? Pool.SPARE : Pool.ACTIVE,
          new RemoteEngine(settings, model.info(), new ReferenceTokenizer(model.vocab()), system, launched.pid())));
    }
    return out;
  }
}
