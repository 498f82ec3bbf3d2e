package io.baton.actors.worker;

import static io.baton.actors.worker.WorkerFixture.CONTROLLER;
import static io.baton.actors.worker.WorkerFixture.OPERATOR;
import static io.baton.actors.worker.WorkerFixture.change;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.actors.Rejection;
import io.baton.actors.worker.GpuWorkerCommand.*;
import io.baton.actors.worker.GpuWorkerEvent.*;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Retirement, whole remediation stories, the bounded history and recovery. Registration,
 * heartbeats and XIDs are in GpuWorkerTest; single moves are in GpuWorkerTransitionTest.
 */
class GpuWorkerLifecycleTest extends GpuWorkerTestBase {

  @Test
  void aRetiredGpuAcceptsNothingButQueriesAndItsOwnReRegistration() {
    WorkerFixture.bringTo(kit, GpuStatus.RETIRED);

    assertEquals(Rejection.Reason.ILLEGAL_STATE, rejected(run(Heartbeat::new)));
    assertEquals(Rejection.Reason.ILLEGAL_STATE, rejected(run(r -> new RecordXid(48, "x", "agent", r))));
    // Re-registering the same GPU is acknowledged without bringing it back (see GpuWorkerTest).
    assertEquals(new Accepted(GpuStatus.RETIRED),
        run(r -> new Register(WorkerFixture.GPU, Pool.SPARE, "agent", r)).reply());
    assertEquals(GpuStatus.RETIRED, query().status());
  }

  @Test
  void twoConsecutiveFailedHealthChecksRetire() {
    WorkerFixture.bringTo(kit, GpuStatus.RESETTING);

    var first = run(r -> new ReportHealthCheck(false, CONTROLLER, "output mismatch", r));
    assertEquals(new Accepted(GpuStatus.CORDONED), first.reply());
    assertEquals(1, first.state().consecutiveHealthFailures());
    change(kit, r -> new StartReset(CONTROLLER, "second try", r));

    var second = run(r -> new ReportHealthCheck(false, CONTROLLER, "timed out", r));

    assertEquals(new Accepted(GpuStatus.RETIRED), second.reply());
    assertEquals(2, second.events().size());
    assertInstanceOf(HealthCheckFailed.class, second.events().get(0));
    Retired retired = assertInstanceOf(Retired.class, second.events().get(1));
    assertEquals("2 consecutive failed health checks, the last: timed out", retired.reason());
    assertEquals(GpuStatus.RETIRED, second.state().status());
    assertEquals(GpuStatus.CORDONED, second.state().lastChange().from());
  }

  @Test
  void aResetThatFailsRetiresAtOnceWithTheReason() {
    WorkerFixture.bringTo(kit, GpuStatus.RESETTING);

    var result = run(r -> new ReportResetFailed("agent@node-1", "reset command timed out after 60 s", r));

    assertEquals(new Accepted(GpuStatus.RETIRED), result.reply());
    Retired retired = assertInstanceOf(Retired.class, result.event());
    assertEquals("reset failed: reset command timed out after 60 s", retired.reason());
    assertEquals(GpuStatus.RESETTING, result.state().lastChange().from());
  }

  @Test
  void onlyAGpuUnderResetCanReportItsResetFailed() {
    WorkerFixture.bringTo(kit, GpuStatus.CORDONED);
    assertEquals(Rejection.Reason.ILLEGAL_STATE,
        rejected(run(r -> new ReportResetFailed("agent@node-1", "exit 1", r))));
  }

  @Test
  void aPassedCheckResetsTheFailureCount() {
    WorkerFixture.bringTo(kit, GpuStatus.CORDONED);
    change(kit, r -> new ReportHealthCheck(false, CONTROLLER, "output mismatch", r));
    change(kit, r -> new ReportHealthCheck(true, CONTROLLER, "output matched", r));
    assertEquals(0, kit.getState().consecutiveHealthFailures());
    change(kit, r -> new Cordon(OPERATOR, "inspection", r));

    var result = run(r -> new ReportHealthCheck(false, CONTROLLER, "output mismatch", r));

    assertEquals(new Accepted(GpuStatus.CORDONED), result.reply());
  }

  @Test
  void resetGpuXidRemediationEndsInTheSparePoolThenPromotion() {
    WorkerFixture.bringTo(kit, GpuStatus.ACTIVE);
    change(kit, r -> new RecordXid(48, "double-bit ECC", "agent-node-1", r));
    change(kit, r -> new Cordon(CONTROLLER, "XID 48 (reset-gpu)", r));
    change(kit, r -> new StartReset(CONTROLLER, "XID 48 (reset-gpu)", r));
    change(kit, r -> new ReportHealthCheck(true, CONTROLLER, "output matched", r));

    var result = run(r -> new Promote(CONTROLLER, "replacing gpu-9", r));

    assertEquals(new Accepted(GpuStatus.ACTIVE), result.reply());
    assertInstanceOf(Promoted.class, result.event());
    assertEquals(List.of(GpuStatus.ACTIVE, GpuStatus.CORDONED, GpuStatus.RESETTING, GpuStatus.SPARE, GpuStatus.ACTIVE),
        result.state().history().stream().map(HistoryEntry::to).toList());
    assertEquals(XidClass.RESET_GPU, result.state().lastXid().xidClass());
  }

  @Test
  void aDrainedGpuIsParkedAsSpare() {
    WorkerFixture.bringTo(kit, GpuStatus.ACTIVE);
    var drain = run(r -> new Drain(OPERATOR, "kernel upgrade", r));
    assertEquals(new Accepted(GpuStatus.DRAINING), drain.reply());
    assertInstanceOf(DrainStarted.class, drain.event());

    var demote = run(r -> new Demote(CONTROLLER, "drain complete", r));

    assertEquals(new Accepted(GpuStatus.SPARE), demote.reply());
    assertEquals(new HistoryEntry(GpuStatus.DRAINING, GpuStatus.SPARE, CONTROLLER, "drain complete",
        demote.eventOfType(Demoted.class).at()), demote.state().lastChange());
  }

  @Test
  void cordoningTwiceKeepsTheFirstReason() {
    WorkerFixture.bringTo(kit, GpuStatus.ACTIVE);
    change(kit, r -> new Cordon(CONTROLLER, "XID 79 on host-1", r));

    var again = run(r -> new Cordon(OPERATOR, "maintenance", r));

    assertEquals(new Accepted(GpuStatus.CORDONED), again.reply());
    assertTrue(again.hasNoEvents());
    assertEquals("XID 79 on host-1", again.state().lastChange().reason());
  }

  @Test
  void historyKeepsTheLastFiftyChanges() {
    WorkerFixture.bringTo(kit, GpuStatus.SPARE);
    for (int i = 0; i < 30; i++) {
      change(kit, r -> new Promote(CONTROLLER, "scale up", r));
      change(kit, r -> new Demote(CONTROLLER, "scale down", r));
    }

    List<HistoryEntry> history = kit.getState().history();
    assertEquals(GpuWorkerState.HISTORY_LIMIT, history.size());
    assertEquals(new HistoryEntry(GpuStatus.ACTIVE, GpuStatus.SPARE, CONTROLLER, "scale down",
        kit.getState().since()), history.get(history.size() - 1));
  }

  @Test
  void recoveryReplaysTheSameState() {
    WorkerFixture.bringTo(kit, GpuStatus.SUSPECT);
    change(kit, Heartbeat::new);
    change(kit, r -> new RecordXid(79, "fallen off the bus", "agent-node-1", r));
    change(kit, r -> new Cordon(CONTROLLER, "XID 79", r));
    change(kit, r -> new ReportHealthCheck(false, CONTROLLER, "no device", r));
    GpuWorkerState before = kit.getState();

    GpuWorkerState after = kit.restart().state();

    assertEquals(before, after);
    assertNotNull(after.lastXid());
    assertEquals(1, after.consecutiveHealthFailures());
  }
}
