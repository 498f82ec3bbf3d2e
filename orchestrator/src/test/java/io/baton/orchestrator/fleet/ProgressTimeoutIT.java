package io.baton.orchestrator.fleet;

import static io.baton.orchestrator.fleet.FleetFixture.TIMEOUT;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.actors.session.Attempt;
import io.baton.actors.session.FailureCause;
import io.baton.actors.session.SessionSpec;
import io.baton.actors.session.SessionState;
import io.baton.actors.worker.GpuStatus;
import io.baton.actors.worker.HistoryEntry;
import io.baton.persistence.testing.CassandraTestExtension;
import io.baton.workers.engine.Fault;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Detection path 2: a GPU that hangs raises no XID, so only the attempt's lease (3 s in
 * the fixture) notices. The silent attempt fails with LEASE_EXPIRED, the session resumes on
 * another GPU and completes exactly; the placer marks the hung GPU suspect, its agent resets it
 * (which releases the hang), health-checks it and returns it as a spare, and the spare that was
 * waiting is promoted in its place.
 */
@ExtendWith(CassandraTestExtension.class)
class ProgressTimeoutIT {

  @Test
  void aHungGpuTimesOutIsResetAndReturnsAsASpareWhileTheSessionCompletesElsewhere() throws Exception {
    try (FleetFixture f = FleetFixture.start("hang")) {
      String spare = f.gpu(1, 1);
      SessionSpec spec = FleetFixture.spec(FleetFixture.prompt(40, 7), 150, 17);
      String id = f.submit(spec);
      f.awaitSession(id, s -> s.tokenCount() >= 10);
      String hung = f.state(id).currentAttempt().workerId();
      assertNotEquals(spare, hung);
      f.inject(hung, new Fault.Hang(1));

      SessionState done = f.awaitCompletedExactly(id, spec);

      Attempt silent = done.attempts().get(0);
      assertEquals(hung, silent.workerId());
      assertEquals(FailureCause.Kind.LEASE_EXPIRED, silent.failure().kind(), silent.failure()::toString);
      assertTrue(silent.failure().detail().contains(hung), silent.failure()::detail);
      Attempt last = done.currentAttempt();
      assertNull(last.failure());
      assertNotEquals(hung, last.workerId(), "the session finished on another GPU");
      assertTrue(last.resumeFrom() > 0, "the resume kept the tokens streamed before the hang");
      for (Attempt a : done.attempts().subList(1, done.attempts().size())) {
        assertNotEquals(hung, a.workerId(), "no attempt went back to the suspect GPU");
      }

      await().atMost(TIMEOUT).until(() -> f.gpuState(hung).status() == GpuStatus.SPARE);
      List<GpuStatus> path = f.gpuState(hung).history().stream().map(HistoryEntry::to).toList();
      assertTrue(path.containsAll(List.of(GpuStatus.SUSPECT, GpuStatus.RESETTING, GpuStatus.SPARE)), path::toString);
      assertTrue(path.indexOf(GpuStatus.SUSPECT) < path.lastIndexOf(GpuStatus.RESETTING)
          && path.lastIndexOf(GpuStatus.RESETTING) < path.lastIndexOf(GpuStatus.SPARE), path::toString);
      // The reset released the hang and the health check passed: the GPU is idle and out of remediation.
      await().atMost(TIMEOUT).until(() -> !f.agentStatus().gpu(hung).remediating());
      assertTrue(f.agentStatus().gpu(hung).sessions().isEmpty());

      await().atMost(TIMEOUT).until(() -> f.gpuState(spare).status() == GpuStatus.ACTIVE);
    }
  }
}
