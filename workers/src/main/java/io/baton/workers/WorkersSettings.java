package io.baton.workers;

import com.typesafe.config.Config;
import io.baton.workers.agent.AgentSettings;
import io.baton.workers.engine.EngineSettings;
import io.baton.workers.host.KernelLogSettings;

/** The workers module's settings, read from {@code baton.workers}. */
public record WorkersSettings(EngineSettings engine, AgentSettings agent, KernelLogSettings kernelLog) {

  public static WorkersSettings fromConfig(Config root) {
    Config c = root.getConfig("baton.workers");
    return new WorkersSettings(
        EngineSettings.fromConfig(c.getConfig("engine")), AgentSettings.fromConfig(c.getConfig("agent")),
        KernelLogSettings.fromConfig(c.getConfig("kernel-log")));
  }
}
