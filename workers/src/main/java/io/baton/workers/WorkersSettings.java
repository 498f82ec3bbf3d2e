package io.baton.workers;

import com.typesafe.config.Config;
import io.baton.workers.agent.AgentSettings;
import io.baton.workers.engine.EngineSettings;

/** The workers module's settings, read from {@code baton.workers}. */
public record WorkersSettings(EngineSettings engine, AgentSettings agent) {

  public static WorkersSettings fromConfig(Config root) {
    Config c = root.getConfig("baton.workers");
    return new WorkersSettings(
        EngineSettings.fromConfig(c.getConfig("engine")), AgentSettings.fromConfig(c.getConfig("agent")));
  }
}
