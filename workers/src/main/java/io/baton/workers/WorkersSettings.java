package io.baton.workers;

import com.typesafe.config.Config;
import io.baton.workers.agent.AgentSettings;
import io.baton.workers.engine.EngineSettings;
import io.baton.workers.engine.ServedModel;
import io.baton.workers.engine.remote.ConfiguredGpu;
import io.baton.workers.host.KernelLogSettings;
import java.util.List;

/**
 * The workers module's settings, read from {@code baton.workers}.
 *
 * @param gpus a real host's GPUs and their engine servers; empty on a dev node (simulated fleet)
 * @param models the models engine servers serve besides the reference ones, known by their tokenizers
 */
public record WorkersSettings(EngineSettings engine, AgentSettings agent, KernelLogSettings kernelLog,
    List<ConfiguredGpu> gpus, List<ServedModel> models) {

  public static WorkersSettings fromConfig(Config root) {
    Config c = root.getConfig("baton.workers");
    return new WorkersSettings(
        EngineSettings.fromConfig(c.getConfig("engine")), AgentSettings.fromConfig(c.getConfig("agent")),
        KernelLogSettings.fromConfig(c.getConfig("kernel-log")), ConfiguredGpu.fromConfig(c.getConfigList("gpus")),
        ServedModel.fromConfig(c.getConfigList("models")));
  }
}
