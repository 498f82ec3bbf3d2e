package io.baton.orchestrator.fleet;

import static io.baton.orchestrator.fleet.FleetFixture.TIMEOUT;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.actors.session.Attempt;
import io.baton.actors.session.FailureCause;
import io.baton.actors.session.SessionSpec;
import io.baton.actors.session.SessionState;
import io.baton.actors.worker.GpuStatus;
import io.baton.actors.worker.GpuWorkerState;
import io.baton.actors.worker.HistoryEntry;
import io.baton.persistence.testing.CassandraTestExtension;
import io.baton.workers.engine.Fault;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Test 5 of the workers issue: each XID class, injected while a session streams, leads to the right
 * GPU state, and the session still ends with exactly the tokens of a fault-free run.
 */
@ExtendWith(CassandraTestExtension.class)
class XidClassesIT {

  /** Starts a session and waits until it streams on its first GPU; returns its id. */
  private static String streaming(FleetFixture f, SessionSpec spec) throws Exception {
    String id = f.submit(spec);
    f.awaitSession(id, s -> s.tokenCount() >= 10);
    return id;
  }


  @Test
  void aFaultFreeSessionRunsOnAnActiveGpu() throws Exception {
    try (FleetFixture f = FleetFixture.start("xid-none")) {
      SessionSpec spec = FleetFixture.spec(FleetFixture.prompt(40, 1), 60, 11);
      String id = f.submit(spec);
      SessionState done = f.awaitCompletedExactly(id, spec);
      assertEquals(1, done.attempts().size());
      assertEquals(GpuStatus.ACTIVE, f.gpuState(done.attempts().get(0).workerId()).status());
    }
  }

  @Test
  void anAppFaultMovesTheSessionAndKeepsTheGpu() throws Exception {
    try (FleetFixture f = FleetFixture.start("xid-app")) {
      SessionSpec spec = FleetFixture.spec(FleetFixture.prompt(40, 2), 150, 12);
      String id = streaming(f, spec);
      String gpu = f.state(id).currentAttempt().workerId();
      f.inject(gpu, new Fault.Xid(13, 1));
      SessionState done = f.awaitCompletedExactly(id, spec);
      Attempt first = done.attempts().get(0);
      assertEquals(FailureCause.Kind.XID, first.failure().kind());
      assertEquals(13, first.failure().xidCode());
      GpuWorkerState g = f.gpuState(gpu);
      assertEquals(GpuStatus.ACTIVE, g.status(), "an app fault does not take the GPU out");
      assertEquals(13, g.lastXid().code());
    }
  }

  @Test
  void aResetXidCordonsResetsAndReturnsTheGpuAsASpareWhileTheSpareIsPromoted() throws Exception {
    try (FleetFixture f = FleetFixture.start("xid-reset")) {
      SessionSpec spec = FleetFixture.spec(FleetFixture.prompt(40, 3), 150, 13);
      String id = streaming(f, spec);
      String gpu = f.state(id).currentAttempt().workerId();
      f.inject(gpu, new Fault.Xid(48, 1));
      f.awaitCompletedExactly(id, spec);
      await().atMost(TIMEOUT).until(() -> f.gpuState(gpu).status() == GpuStatus.SPARE);
      List<GpuStatus> path = f.gpuState(gpu).history().stream().map(HistoryEntry::to).toList();
      assertTrue(path.containsAll(List.of(GpuStatus.CORDONED, GpuStatus.RESETTING, GpuStatus.SPARE)), path::toString);
      await().atMost(TIMEOUT).until(() -> f.gpuState(f.gpu(1, 1)).status() == GpuStatus.ACTIVE);
    }
  }

  @Test
  void aNodeFatalXidCordonsTheWholeHostAndPromotesTheSpare() throws Exception {
    try (FleetFixture f = FleetFixture.start("xid-node")) {
      SessionSpec spec = FleetFixture.spec(FleetFixture.prompt(40, 4), 150, 14);
      String id = streaming(f, spec);
      String gpu = f.state(id).currentAttempt().workerId();
      f.inject(gpu, new Fault.Xid(79, 1));
      f.awaitCompletedExactly(id, spec);
      String host = f.gpuState(gpu).gpu().hostId();
      for (String other : List.of(f.gpu(0, 0), f.gpu(0, 1), f.gpu(1, 0), f.gpu(1, 1))) {
        GpuWorkerState g = f.gpuState(other);
        if (g.gpu().hostId().equals(host)) {
          await().atMost(TIMEOUT).until(() -> f.gpuState(other).status() == GpuStatus.CORDONED);
        }
      }
      if (!host.equals(f.gpuState(f.gpu(1, 1)).gpu().hostId())) {
        await().atMost(TIMEOUT).until(() -> f.gpuState(f.gpu(1, 1)).status() == GpuStatus.ACTIVE);
      }
    }
  }

  @Test
  void anInformationalXidIsOnlyRecorded() throws Exception {
    try (FleetFixture f = FleetFixture.start("xid-info")) {
      SessionSpec spec = FleetFixture.spec(FleetFixture.prompt(40, 5), 150, 15);
      String id = streaming(f, spec);
      String gpu = f.state(id).currentAttempt().workerId();
      f.inject(gpu, new Fault.Xid(63, 1));
      await().atMost(TIMEOUT).until(() -> f.gpuState(gpu).lastXid() != null);
      SessionState done = f.awaitCompletedExactly(id, spec);
      assertEquals(1, done.attempts().size(), "the session was not disturbed");
      assertEquals(GpuStatus.ACTIVE, f.gpuState(gpu).status());
      assertEquals(63, f.gpuState(gpu).lastXid().code());
    }
  }
}
