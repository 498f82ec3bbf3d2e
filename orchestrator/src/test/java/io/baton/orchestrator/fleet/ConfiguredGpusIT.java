package io.baton.orchestrator.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.baton.actors.session.SessionSpec;
import io.baton.actors.session.SessionState;
import io.baton.orchestrator.FleetBootstrap;
import io.baton.orchestrator.engines.EngineProcesses;
import io.baton.persistence.testing.CassandraTestExtension;
import io.baton.workers.agent.AgentStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A node configured as a real host is: {@code baton.workers.gpus} lists its GPUs and the engine
 * servers that serve them (started here as separate processes, as systemd units would start them),
 * and the node drives those instead of a simulated fleet.
 */
@ExtendWith(CassandraTestExtension.class)
class ConfiguredGpusIT {

  @Test
  void aNodeDrivesTheEngineServersItsConfigurationLists() throws Exception {
    String host = "rack-" + UUID.randomUUID().toString().substring(0, 8);
    try (EngineProcesses engines = new EngineProcesses()) {
      Map<String, String> timing = Map.of("baton.workers.engine.timing.decode-per-token", "4ms");
      Path logs = Path.of("target/engine-logs", host);
      EngineProcesses.Launched first = engines.launch("baton-small", "GPU-" + host + "-0", "0000:3b:00", timing,
          logs.resolve("gpu0.log"), Duration.ofSeconds(60));
      EngineProcesses.Launched second = engines.launch("baton-small", "GPU-" + host + "-1", "0000:3c:00", timing,
          logs.resolve("gpu1.log"), Duration.ofSeconds(60));
      List<Map<String, Object>> gpus = List.of(
          Map.of("host", host, "index", 0, "model", "baton-small", "uuid", first.gpuUuid(),
              "pci-bus-id", first.pciBusId(), "engine", Map.of("kind", "baton", "url", first.url())),
          Map.of("host", host, "index", 1, "model", "baton-small", "pool", "spare",
              "engine", Map.of("kind", "baton", "url", second.url())));
      try (FleetFixture f = FleetFixture.start("configured", Map.of("baton.workers.gpus", gpus))) {
        AgentStatus status = f.agentStatus();
        assertEquals(Set.of(FleetBootstrap.workerId(host, 0), FleetBootstrap.workerId(host, 1)),
            status.gpus().stream().map(AgentStatus.Gpu::gpuId).collect(Collectors.toSet()),
            "the configured GPUs, and no simulated ones");

        SessionSpec spec = FleetFixture.spec(FleetFixture.prompt(30, 9), 60, 23);
        String id = f.submit(spec);
        SessionState done = f.awaitCompletedExactly(id, spec);
        assertEquals(FleetBootstrap.workerId(host, 0), done.currentAttempt().workerId(), "the active GPU served it");
      }
    }
  }
}
