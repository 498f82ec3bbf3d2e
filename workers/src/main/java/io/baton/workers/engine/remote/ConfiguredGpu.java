package io.baton.workers.engine.remote;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.baton.actors.worker.Pool;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One GPU of a real host as the node's configuration lists it ({@code baton.workers.gpus}): where it
 * sits, the model it serves and the engine server that serves it.
 *
 * @param host the host id (a node-fatal XID takes down one host's GPUs together)
 * @param index the GPU's index on its host (nvidia-smi's index)
 * @param model the model id, one of {@code baton.workers.engine.models}
 * @param servedModel the id the engine server knows the model by (what requests name)
 * @param uuid the NVIDIA UUID, or null; the kernel-log watcher matches XIDs by it first
 * @param pciBusId the PCI bus id, or null
 * @param resetCommand this GPU's own reset command ({@code engine.reset-command}), or null for its
 *     engine kind's
 */
public record ConfiguredGpu(String host, int index, String model, EngineKind kind, String url, String servedModel,
    String uuid, String pciBusId, Pool pool, int kvBlockCapacity, String resetCommand) {

  /** Reads {@code baton.workers.gpus}; empty means the node runs the simulated dev fleet. */
  public static List<ConfiguredGpu> fromConfig(List<? extends Config> entries) {
    List<ConfiguredGpu> gpus = new ArrayList<>();
    for (int i = 0; i < entries.size(); i++) {
      Config gpu = entries.get(i);
      String where = "baton.workers.gpus[" + i + "]";
      try {
        String model = gpu.getString("model");
        gpus.add(new ConfiguredGpu(gpu.getString("host"), gpu.getInt("index"), model,
            EngineKind.of(gpu.getString("engine.kind")), gpu.getString("engine.url"),
            gpu.hasPath("engine.served-model") ? gpu.getString("engine.served-model") : model,
            gpu.hasPath("uuid") ? gpu.getString("uuid") : null,
            gpu.hasPath("pci-bus-id") ? gpu.getString("pci-bus-id") : null,
            gpu.hasPath("pool") ? Pool.valueOf(gpu.getString("pool").toUpperCase(Locale.ROOT)) : Pool.ACTIVE,
            gpu.hasPath("kv-block-capacity") ? gpu.getInt("kv-block-capacity") : 4096,
            gpu.hasPath("engine.reset-command") ? gpu.getString("engine.reset-command") : null));
      } catch (ConfigException | IllegalArgumentException e) {
        throw new IllegalArgumentException(where + ": " + e.getMessage() + ". Each GPU needs host, index, model and"
            + " engine { kind = vllm|sglang|llamacpp|baton, url = \"http://...\" }; pool = active|spare is optional", e);
      }
    }
    return List.copyOf(gpus);
  }
}
