package io.baton.orchestrator.fleet;

import static io.baton.orchestrator.fleet.FleetFixture.TIMEOUT;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.actors.session.Attempt;
import io.baton.actors.session.FailureCause;
import io.baton.actors.session.SessionSpec;
import io.baton.actors.session.SessionState;
import io.baton.actors.session.SessionStatus;
import io.baton.actors.worker.GpuStatus;
import io.baton.actors.worker.GpuWorkerState;
import io.baton.persistence.testing.CassandraTestExtension;
import io.baton.workers.engine.Fault;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A poison request: a session that faults one GPU with an application-class XID, is moved to another
 * GPU and faults that one too, fails as a poison request. The request is to blame, not the hardware:
 * both GPUs stay active, and what the session streamed before failing is still exact.
 */
@ExtendWith(CassandraTestExtension.class)
class PoisonRequestIT {

  @Test
  void twoAppFaultsOnTwoGpusFailTheSessionAndKeepBothGpus() throws Exception {
    try (FleetFixture f = FleetFixture.start("poison")) {
      SessionSpec spec = FleetFixture.spec(FleetFixture.prompt(40, 6), 500, 16);
      String id = f.submit(spec);

      // First GPU: XID 13 (graphics engine exception) while the session streams.
      f.awaitSession(id, s -> s.tokenCount() >= 10);
      String first = f.state(id).currentAttempt().workerId();
      f.inject(first, new Fault.Xid(13, 1));

      // The session moves to another GPU and streams there, then XID 31 (MMU fault) hits that one.
      SessionState moved = f.awaitSession(id, s -> s.status().isTerminal()
          || (s.attempt() == 2 && s.status().isRunning() && s.tokenCount() >= s.currentAttempt().resumeFrom() + 5));
      assertFalse(moved.status().isTerminal(), moved::terminalReason);
      String second = moved.currentAttempt().workerId();
      assertNotEquals(first, second, "the retry runs on another GPU");
      f.inject(second, new Fault.Xid(31, 1));

      SessionState done = f.awaitSession(id, s -> s.status().isTerminal());
      assertEquals(SessionStatus.FAILED, done.status(), done::terminalReason);
      assertTrue(done.terminalReason().startsWith("poison request"), done::terminalReason);

      List<Attempt> attempts = done.attempts();
      assertEquals(2, attempts.size(), attempts::toString);
      assertXid(attempts.get(0), first, 13);
      assertXid(attempts.get(1), second, 31);

      // Everything that became durable is a prefix of the fault-free run, and the second GPU added to it.
      List<Integer> reference = f.reference(spec);
      assertTrue(done.tokenCount() > attempts.get(1).resumeFrom(), "the second GPU streamed before its fault");
      assertTrue(done.tokenCount() < spec.maxTokens(), "the faults cut the run short");
      assertEquals(reference.subList(0, done.tokenCount()), done.tokens());

      // Both GPUs recorded their XID and stay in the active pool; neither is reset.
      for (String gpu : List.of(first, second)) {
        await().atMost(TIMEOUT).until(() -> f.gpuState(gpu).lastXid() != null);
      }
      assertGpuKept(f, first, 13);
      assertGpuKept(f, second, 31);
      assertEquals(GpuStatus.SPARE, f.gpuState(f.gpu(1, 1)).status(), "no spare was needed");
    }
  }

  private static void assertXid(Attempt attempt, String gpu, int code) {
    assertEquals(gpu, attempt.workerId());
    FailureCause cause = attempt.failure();
    assertEquals(FailureCause.Kind.XID, cause.kind(), cause::toString);
    assertEquals(code, cause.xidCode());
    assertEquals("app-fault", cause.xidClass());
  }

  private static void assertGpuKept(FleetFixture f, String gpu, int code) throws Exception {
    GpuWorkerState g = f.gpuState(gpu);
    assertEquals(code, g.lastXid().code());
    assertEquals(GpuStatus.ACTIVE, g.status(), "an app fault does not take the GPU out");
    assertTrue(g.history().stream().noneMatch(h -> h.to() == GpuStatus.CORDONED || h.to() == GpuStatus.RESETTING),
        () -> g.history().toString());
    assertFalse(f.agentStatus().gpu(gpu).remediating());
  }
}
