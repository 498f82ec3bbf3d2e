package io.baton.workers;

import com.typesafe.config.Config;
import io.baton.workers.agent.AgentSettings;
import io.baton.workers.engine.EngineSettings;
import io.baton.workers.engine.remote.ConfiguredGpu;
import io.baton.workers.host.KernelLogSettings;
import java.util.List;

/**
 * The workers module's settings, read from {@code baton.workers}.
 *
 * @param gpus a real host's GPUs and their engine servers; empty on a dev node (simulated fleet)
 */
public record WorkersSettings(EngineSettings engine, AgentSettings agent, KernelLogSettings kernelLog,
    List<ConfiguredGpu> gpus) {

  public static WorkersSettings fromConfig(Config root) {
    Config c = root.getConfig("baton.workers");
    return new WorkersSettings(
        EngineSettings.fromConfig(c.getConfig("engine")), AgentSettings.fromConfig(c.getConfig("agent")),
        KernelLogSettings.fromConfig(c.getConfig("kernel-log")), ConfiguredGpu.fromConfig(c.getConfigList("gpus")));
  }
}
