package io.baton.orchestrator.engines;

import io.baton.actors.worker.GpuSpec;
import io.baton.workers.WorkersSettings;
import io.baton.workers.agent.WorkerAgent.AgentGpu;
import io.baton.workers.engine.EngineSettings;
import io.baton.workers.engine.ModelInfo;
import io.baton.workers.engine.ModelSpec;
import io.baton.workers.engine.ReferenceTokenizer;
import io.baton.workers.engine.ServedModels;
import io.baton.workers.engine.Tokenizer;
import io.baton.workers.engine.remote.ConfiguredGpu;
import io.baton.workers.engine.remote.RemoteEngine;
import io.baton.workers.engine.remote.RemoteEngineSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * A real host's GPUs, as {@code baton.workers.gpus} lists them: each driven through its engine server
 * over HTTP. The engines run on their own (systemd units, pods); the node only connects to them.
 */
public final class ConfiguredFleet {
  private ConfiguredFleet() {}

  /** @param served the models of {@code baton.workers.models}, their tokenizers loaded */
  public static List<AgentGpu> agentGpus(String nodeId, WorkersSettings workers, ServedModels served,
      ActorSystem<?> system) {
    EngineSettings.Remote remote = workers.engine().remote();
    List<AgentGpu> out = new ArrayList<>();
    for (ConfiguredGpu gpu : workers.gpus()) {
      Optional<ModelSpec> reference = workers.engine().model(gpu.model());
      Optional<ServedModels.Loaded> external = served.get(gpu.model());
      if (reference.isEmpty() && external.isEmpty()) {
        throw new IllegalArgumentException("baton.workers.gpus: " + gpu.host() + " GPU " + gpu.index() + " serves "
            + gpu.model() + ", which is neither a reference model " + workers.engine().models().stream()
            .map(ModelSpec::id).toList() + " nor in baton.workers.models; list it there with its tokenizer.json");
      }
      ModelInfo info = reference.map(ModelSpec::info).orElseGet(() -> external.get().info());
      Tokenizer tokenizer = reference.<Tokenizer>map(m -> new ReferenceTokenizer(m.vocab()))
          .orElseGet(() -> external.get().tokenizer());
      GpuSpec spec = new GpuSpec(nodeId, gpu.host(), gpu.index(), gpu.model(), gpu.kvBlockCapacity());
      spec.invalidity().ifPresent(why -> {
        throw new IllegalArgumentException("baton.workers.gpus: " + gpu.host() + " GPU " + gpu.index() + ": " + why);
      });
      RemoteEngineSettings settings = RemoteEngineSettings.of(remote, gpu.kind(), gpu.url(), gpu.servedModel(),
          gpu.uuid(), gpu.pciBusId(), gpu.index(), gpu.resetCommand());
      out.add(new AgentGpu(spec, gpu.pool(), new RemoteEngine(settings, info, tokenizer, system)));
    }
    return out;
  }
}
