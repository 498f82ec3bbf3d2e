package io.baton.orchestrator.fleet;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.actors.session.Attempt;
import io.baton.actors.session.FailureCause;
import io.baton.actors.session.SessionSpec;
import io.baton.actors.session.SessionState;
import io.baton.actors.worker.GpuStatus;
import io.baton.actors.worker.GpuWorkerState;
import io.baton.orchestrator.engines.EngineProcesses;
import io.baton.persistence.testing.CassandraTestExtension;
import io.baton.workers.agent.AgentStatus;
import io.baton.workers.agent.EngineView;
import io.baton.workers.host.SimulatedGpus;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A node whose GPUs are engine server processes ({@code engines = external}): sessions stream from
 * them over HTTP, and an engine process killed with SIGKILL mid-stream costs nothing. The session
 * resumes on the other engine process and its tokens equal the fault-free run's, greedy or sampled,
 * because the served reference engine samples with the index an uninterrupted run would use.
 */
@ExtendWith(CassandraTestExtension.class)
class ExternalEnginesIT {
  private static final Map<String, Object> EXTERNAL = Map.of(
      "baton.orchestrator.simulated-fleet.engines", "external",
      "baton.orchestrator.simulated-fleet.hosts", 2,
      "baton.orchestrator.simulated-fleet.gpus-per-host", 1,
      "baton.orchestrator.simulated-fleet.spares", 0,
      "baton.orchestrator.simulated-fleet.engine-log-dir", "target/engine-logs");

  /** The GPU the session streams on, once it has 20 durable tokens and is still running. */
  private static String gpuStreaming(FleetFixture f, String id) {
    SessionState streaming = f.awaitSession(id, s -> s.tokenCount() >= 20 || s.status().isTerminal());
    assertFalse(streaming.status().isTerminal(), streaming::terminalReason);
    return streaming.currentAttempt().workerId();
  }

  /** The engine server process the node started for that GPU. */
  private static EngineProcesses.Launched engineOf(FleetFixture f, String gpu) {
    return f.node.services().engineProcesses().launched().stream()
        .filter(e -> e.gpuUuid().equals(SimulatedGpus.uuid(gpu))).findFirst().orElseThrow();
  }

  @ParameterizedTest(name = "temperature {0}")
  @ValueSource(doubles = {0.0, 0.8})
  void anEngineProcessKilledMidStreamLosesNoToken(double temperature) throws Exception {
    try (FleetFixture f = FleetFixture.start("external", EXTERNAL)) {
      SessionSpec spec = new SessionSpec(FleetFixture.MODEL, FleetFixture.prompt(40, 3),
          new SessionSpec.Sampling(temperature, 0.95, 17), 400, "tenant-a", 0, null);
      String id = f.submit(spec);
      String first = gpuStreaming(f, id);
      EngineProcesses.Launched engine = engineOf(f, first);
      engine.process().destroyForcibly(); // SIGKILL: no goodbye on the wire

      SessionState done = f.awaitCompletedExactly(id, spec);
      Attempt lost = done.attempts().get(0);
      assertEquals(first, lost.workerId());
      assertEquals(FailureCause.Kind.ENGINE_LOST, lost.failure().kind(), lost::toString);
      assertNotEquals(first, done.currentAttempt().workerId(), "it finished on the other engine process");
    }
  }

  @Test
  void theAgentsGpusAreTheEngineProcesses() throws Exception {
    try (FleetFixture f = FleetFixture.start("external-rows", EXTERNAL)) {
      List<EngineProcesses.Launched> engines = f.node.services().engineProcesses().launched();
      assertEquals(2, engines.size());
      assertTrue(engines.stream().allMatch(e -> e.process().isAlive() && e.url().startsWith("http://127.0.0.1:")));
      assertEquals(2, f.agentStatus().gpus().size());
      // /admin/workers shows each GPU's engine server: kind, URL and the pid the node started.
      for (AgentStatus.Gpu gpu : f.agentStatus().gpus()) {
        EngineProcesses.Launched launched = engines.stream()
            .filter(e -> e.gpuUuid().equals(SimulatedGpus.uuid(gpu.gpuId()))).findFirst().orElseThrow();
        assertEquals(new EngineView("baton", launched.url(), launched.pid()), gpu.engine());
      }
    }
  }

  @Test
  void aHungEngineIsLeftResetByItsCommandCheckedAndReturned() throws Exception {
    Map<String, Object> config = new HashMap<>(EXTERNAL);
    config.put("baton.workers.engine.remote.stall-timeout", "2s");
    config.put("baton.workers.engine.remote.reset-commands.baton",
        "/bin/bash " + Path.of("src/test/resources/reset-baton-engine.sh").toAbsolutePath() + " {url}");
    try (FleetFixture f = FleetFixture.start("external-hung", config)) {
      SessionSpec spec = new SessionSpec(FleetFixture.MODEL, FleetFixture.prompt(40, 5),
          new SessionSpec.Sampling(0, 1, 0), 400, "tenant-a", 0, null);
      String id = f.submit(spec);
      String first = gpuStreaming(f, id);
      EngineProcesses.Launched engine = engineOf(f, first);
      // The process lives and takes connections, but produces nothing: a wedged GPU.
      HttpResponse<String> hung = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(engine.url()
          + "/baton/hang")).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, hung.statusCode(), hung::body);

      SessionState done = f.awaitCompletedExactly(id, spec);
      assertEquals(FailureCause.Kind.ENGINE_LOST, done.attempts().get(0).failure().kind(),
          () -> done.attempts().toString());
      assertTrue(engine.process().isAlive(), "hung, not dead");
      // Out of rotation, reset by the command (which clears the hang), checked, and back in rotation.
      await().atMost(FleetFixture.TIMEOUT).until(() -> f.gpuState(first).status().isInRotation()
          && f.gpuState(first).history().stream().anyMatch(h -> h.to() == GpuStatus.RESETTING));
      GpuWorkerState back = f.gpuState(first);
      assertTrue(back.history().stream().anyMatch(h -> h.from() == GpuStatus.RESETTING
          && h.reason().contains("health check passed")), () -> "history: " + back.history());
      assertTrue(back.history().stream().anyMatch(h -> h.reason().contains("engine lost")), () -> "history: "
          + back.history());
    }
  }
}
