package io.baton.actors.worker;

import static io.baton.actors.worker.WorkerFixture.CONTROLLER;
import static io.baton.actors.worker.WorkerFixture.GPU;
import static io.baton.actors.worker.WorkerFixture.change;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.actors.Rejection;
import io.baton.actors.worker.GpuWorkerCommand.*;
import io.baton.actors.worker.GpuWorkerEvent.*;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Registration, heartbeats and XIDs. Retirement and whole remediation stories are in
 * GpuWorkerLifecycleTest; single moves are in GpuWorkerTransitionTest.
 */
class GpuWorkerTest extends GpuWorkerTestBase {

  // --- registration ---------------------------------------------------------------------------

  @Test
  void registersIntoTheAskedPool() {
    var result = run(r -> new Register(GPU, Pool.SPARE, "agent-node-1", r));

    assertEquals(new Accepted(GpuStatus.SPARE), result.reply());
    Registered event = result.eventOfType(Registered.class);
    assertEquals(GPU, event.gpu());
    assertEquals(Pool.SPARE, event.pool());
    GpuWorkerState s = result.state();
    assertEquals(GpuStatus.SPARE, s.status());
    assertEquals(GPU, s.gpu());
    assertEquals(event.at(), s.registeredAt());
    assertEquals(event.at(), s.lastHeartbeatAt());
    assertEquals(new HistoryEntry(GpuStatus.UNREGISTERED, GpuStatus.SPARE, "agent-node-1",
        "registered in the SPARE pool", event.at()), s.lastChange());
  }

  @Test
  void everyCommandBeforeRegistrationIsNotFound() {
    assertEquals(Rejection.Reason.NOT_FOUND, rejected(run(Heartbeat::new)));
    assertEquals(Rejection.Reason.NOT_FOUND, rejected(run(r -> new RecordXid(48, "ECC", "agent", r))));
    assertEquals(GpuStatus.UNREGISTERED, query().status());
  }

  @Test
  void rejectsAMalformedRegistration() {
    List<Register> bad = List.of(
        new Register(null, Pool.ACTIVE, "agent", null),
        new Register(new GpuSpec(" ", "host-1", 0, "m", 1), Pool.ACTIVE, "agent", null),
        new Register(new GpuSpec("node-1", "", 0, "m", 1), Pool.ACTIVE, "agent", null),
        new Register(new GpuSpec("node-1", "host-1", -1, "m", 1), Pool.ACTIVE, "agent", null),
        new Register(new GpuSpec("node-1", "host-1", 0, null, 1), Pool.ACTIVE, "agent", null),
        new Register(new GpuSpec("node-1", "host-1", 0, "m", 0), Pool.ACTIVE, "agent", null),
        new Register(GPU, null, "agent", null),
        new Register(GPU, Pool.ACTIVE, " ", null));
    for (Register c : bad) {
      assertEquals(Rejection.Reason.INVALID_ARGUMENT, rejected(run(r -> new Register(c.gpu(), c.pool(), c.by(), r))));
    }
    assertEquals(GpuStatus.UNREGISTERED, kit.getState().status());
  }

  @Test
  void reRegistrationIsAcknowledgedAndKeepsTheFleetsStatus() {
    WorkerFixture.bringTo(kit, GpuStatus.CORDONED);

    // The agent restarted and asks for ACTIVE again: the fleet's memory wins.
    var result = run(r -> new Register(GPU, Pool.ACTIVE, "agent-node-1", r));

    assertEquals(new Accepted(GpuStatus.CORDONED), result.reply());
    assertTrue(result.hasNoEvents());
  }

  @Test
  void anotherGpuUnderTheSameIdAlreadyExists() {
    WorkerFixture.bringTo(kit, GpuStatus.ACTIVE);
    GpuSpec moved = new GpuSpec("node-2", "host-7", 3, "tiny-llama", 4096);

    assertEquals(Rejection.Reason.ALREADY_EXISTS, rejected(run(r -> new Register(moved, Pool.ACTIVE, "agent", r))));
    assertEquals(GPU, kit.getState().gpu());
  }

  @Test
  void reRegisteringARetiredGpuIsAcknowledgedAndKeepsItRetired() {
    WorkerFixture.bringTo(kit, GpuStatus.RETIRED);
    GpuWorkerState retired = kit.getState();

    // The node starts again and re-registers all its GPUs: the retired one must not stop it.
    for (Pool pool : Pool.values()) {
      var result = run(r -> new Register(GPU, pool, "agent-node-1", r));
      assertEquals(new Accepted(GpuStatus.RETIRED), result.reply());
      assertTrue(result.hasNoEvents(), "a retired GPU re-registering persists nothing");
      assertEquals(retired, result.state());
    }
    assertEquals(retired, kit.restart().state());
  }

  @Test
  void anotherGpuUnderARetiredIdAlreadyExists() {
    WorkerFixture.bringTo(kit, GpuStatus.RETIRED);
    GpuSpec other = new GpuSpec("node-1", "host-1", 0, "tiny-llama", 8192);

    assertEquals(Rejection.Reason.ALREADY_EXISTS, rejected(run(r -> new Register(other, Pool.SPARE, "agent", r))));
    assertEquals(GPU, kit.getState().gpu());
    assertEquals(GpuStatus.RETIRED, kit.getState().status());
  }

  // --- heartbeats -----------------------------------------------------------------------------

  @Test
  void heartbeatsAreNotJournaledButShowInTheState() {
    WorkerFixture.bringTo(kit, GpuStatus.ACTIVE);
    GpuWorkerState journaled = kit.getState();

    var result = run(Heartbeat::new);

    assertEquals(new Accepted(GpuStatus.ACTIVE), result.reply());
    assertTrue(result.hasNoEvents());
    assertEquals(journaled, result.state());
    assertTrue(query().lastHeartbeatAt().isAfter(journaled.lastHeartbeatAt()), "GetState shows the live heartbeat");
  }

  @Test
  void theLiveHeartbeatSurvivesARestartAfterAFailedJournalWrite() {
    WorkerFixture.bringTo(kit, GpuStatus.ACTIVE);
    GpuWorkerState journaled = kit.getState();
    run(Heartbeat::new);
    Instant seen = query().lastHeartbeatAt();
    assertTrue(seen.isAfter(journaled.lastHeartbeatAt()));

    kit.persistenceTestKit().failNextPersisted();
    assertThrows(AssertionError.class, () -> run(r -> new RecordXid(48, "ECC", "agent-node-1", r)),
        "the write failed: no reply");

    // Restarted with backoff and recovered from the journal, the same instance still knows the heartbeat.
    assertEquals(journaled, kit.getState());
    assertEquals(seen, query().lastHeartbeatAt());
  }

  @Test
  void theFirstHeartbeatOfASuspectIsJournaledAndKeepsItSuspect() {
    WorkerFixture.bringTo(kit, GpuStatus.SUSPECT);

    var first = run(Heartbeat::new);
    assertEquals(new Accepted(GpuStatus.SUSPECT), first.reply());
    HeartbeatRecorded event = first.eventOfType(HeartbeatRecorded.class);
    assertEquals(event.at(), first.state().lastHeartbeatAt());
    assertTrue(first.state().heartbeatSinceSuspect());

    assertTrue(run(Heartbeat::new).hasNoEvents(), "later heartbeats of the same suspicion are not journaled");

    // A new suspicion journals the next heartbeat again.
    change(kit, r -> new ReportHealthCheck(true, CONTROLLER, "output matched", r));
    change(kit, r -> new MarkSuspect(CONTROLLER, "heartbeats lost", r));
    assertInstanceOf(HeartbeatRecorded.class, run(Heartbeat::new).event());
  }

  // --- XIDs -----------------------------------------------------------------------------------

  @ParameterizedTest(name = "XID {0} is {1}")
  @CsvSource({
      "13, APP_FAULT", "31, APP_FAULT", "43, APP_FAULT", "94, APP_FAULT",
      "48, RESET_GPU", "119, RESET_GPU", "140, RESET_GPU",
      "79, NODE_FATAL", "74, NODE_FATAL", "144, NODE_FATAL", "150, NODE_FATAL",
      "63, INFORMATIONAL", "92, INFORMATIONAL", "154, INFORMATIONAL",
      "45, SECONDARY",
      "999, UNKNOWN", "1, UNKNOWN"})
  void recordsAnXidWithItsClass(int code, XidClass expected) {
    WorkerFixture.bringTo(kit, GpuStatus.ACTIVE);

    var result = run(r -> new RecordXid(code, "NVRM: Xid (PCI:0000:3b:00): " + code, "agent-node-1", r));

    assertEquals(new Accepted(GpuStatus.ACTIVE), result.reply(), "recording an XID moves nothing");
    XidRecorded event = result.eventOfType(XidRecorded.class);
    assertEquals(expected, event.xidClass());
    assertEquals(new XidReport(code, expected, "NVRM: Xid (PCI:0000:3b:00): " + code, "agent-node-1", event.at()),
        result.state().lastXid());
    assertEquals(GpuStatus.ACTIVE, result.state().status());
  }

  @Test
  void rejectsAMalformedXid() {
    WorkerFixture.bringTo(kit, GpuStatus.ACTIVE);

    assertEquals(Rejection.Reason.INVALID_ARGUMENT, rejected(run(r -> new RecordXid(0, "x", "agent", r))));
    assertEquals(Rejection.Reason.INVALID_ARGUMENT, rejected(run(r -> new RecordXid(48, "x", " ", r))));
    assertNull(kit.getState().lastXid());
  }
}
