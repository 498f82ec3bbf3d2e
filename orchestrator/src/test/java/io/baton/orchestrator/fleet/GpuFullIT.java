package io.baton.orchestrator.fleet;

import static io.baton.orchestrator.fleet.FleetFixture.TIMEOUT;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.actors.session.Attempt;
import io.baton.actors.session.SessionSpec;
import io.baton.actors.session.SessionState;
import io.baton.actors.session.SessionStatus;
import io.baton.persistence.testing.CassandraTestExtension;
import io.baton.workers.agent.AgentStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Full GPUs: with room for one session per GPU and three active GPUs, five sessions submitted at
 * once never share a GPU. Three run, two wait pending until a GPU frees up, and all five complete
 * with exactly the tokens of a fault-free run.
 */
@ExtendWith(CassandraTestExtension.class)
class GpuFullIT {
  private static final int SESSIONS = 5;
  private static final int ACTIVE_GPUS = 3;

  @Test
  void fiveSessionsOnThreeOneSessionGpusQueueAndAllCompleteExactly() throws Exception {
    try (FleetFixture f = FleetFixture.start("full", Map.of("baton.workers.agent.sessions-per-gpu", 1))) {
      Map<String, SessionSpec> specs = new LinkedHashMap<>();
      for (int i = 0; i < SESSIONS; i++) {
        SessionSpec spec = FleetFixture.spec(FleetFixture.prompt(30 + i, 20 + i), 150, 100 + i);
        specs.put(f.submit(spec), spec);
      }

      // Watch the agent while the sessions run: no GPU ever holds two, and all three are busy at once.
      List<String> overfull = new ArrayList<>();
      AtomicInteger mostRunning = new AtomicInteger();
      await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(20)).until(() -> {
        AgentStatus status = f.agentStatus();
        int running = 0;
        for (AgentStatus.Gpu g : status.gpus()) {
          running += g.sessions().size();
          if (g.sessions().size() > 1) {
            overfull.add(g.gpuId() + " ran " + g.sessions());
          }
        }
        mostRunning.accumulateAndGet(running, Math::max);
        for (String id : specs.keySet()) {
          if (!f.state(id).status().isTerminal()) {
            return false;
          }
        }
        return true;
      });
      assertTrue(overfull.isEmpty(), overfull::toString);
      assertEquals(ACTIVE_GPUS, mostRunning.get(), "every active GPU ran a session at once, and no more ran");

      Instant firstEnd = Instant.MAX;
      List<Instant> placedAt = new ArrayList<>();
      for (Map.Entry<String, SessionSpec> e : specs.entrySet()) {
        SessionState done = f.state(e.getKey());
        assertEquals(SessionStatus.COMPLETED, done.status(), done::terminalReason);
        assertEquals(f.reference(e.getValue()), done.tokens(), "exactly the fault-free run");
        assertEquals(1, done.attempts().size(), "a full GPU refuses the placement; it does not fail an attempt");
        Attempt only = done.currentAttempt();
        assertNull(only.failure());
        assertNotEquals(f.gpu(1, 1), only.workerId(), "the spare stays a spare");
        placedAt.add(only.placedAt());
        firstEnd = firstEnd.isBefore(done.endedAt()) ? firstEnd : done.endedAt();
      }
      Instant earliestEnd = firstEnd;
      long waited = placedAt.stream().filter(p -> !p.isBefore(earliestEnd)).count();
      assertTrue(waited >= SESSIONS - ACTIVE_GPUS,
          "two sessions were placed only after another completed: placed " + placedAt + ", first end " + earliestEnd);
    }
  }
}
