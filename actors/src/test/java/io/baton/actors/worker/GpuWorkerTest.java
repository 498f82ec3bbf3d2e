package io.baton.actors.worker;

import static io.baton.actors.worker.WorkerFixture.CONTROLLER;
import static io.baton.actors.worker.WorkerFixture.GPU;
import static io.baton.actors.worker.WorkerFixture.OPERATOR;
import static io.baton.actors.worker.WorkerFixture.change;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.actors.Rejection;
import io.baton.actors.worker.GpuWorkerCommand.*;
import io.baton.actors.worker.GpuWorkerEvent.*;
import java.util.List;
import java.util.function.Function;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResultWithReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Registration, heartbeats, XIDs and whole remediation stories; single moves are in GpuWorkerTransitionTest. */
class GpuWorkerTest {
  private static ActorTestKit testKit;
  private EventSourcedBehaviorTestKit<GpuWorkerCommand, GpuWorkerEvent, GpuWorkerState> kit;

  @BeforeAll
  static void start() {
    testKit = WorkerFixture.actorTestKit();
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void newWorker() {
    kit = WorkerFixture.newWorker(testKit);
  }

  private CommandResultWithReply<GpuWorkerCommand, GpuWorkerEvent, GpuWorkerState, Reply> run(
      Function<ActorRef<Reply>, GpuWorkerCommand> command) {
    return kit.runCommand(command);
  }

  private static Rejection.Reason rejected(CommandResultWithReply<?, ?, ?, Reply> result) {
    assertTrue(result.hasNoEvents(), "a rejected command persists nothing");
    return assertInstanceOf(Rejected.class, result.reply()).rejection().reason();
  }

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

  @Test
  void aRetiredGpuAcceptsNothingButQueries() {
    WorkerFixture.bringTo(kit, GpuStatus.RETIRED);

    assertEquals(Rejection.Reason.ILLEGAL_STATE, rejected(run(Heartbeat::new)));
    assertEquals(Rejection.Reason.ILLEGAL_STATE, rejected(run(r -> new RecordXid(48, "x", "agent", r))));
    assertEquals(Rejection.Reason.ILLEGAL_STATE, rejected(run(r -> new Register(GPU, Pool.SPARE, "agent", r))));
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

  private GpuWorkerState query() {
    TestProbe<GpuWorkerState> probe = testKit.createTestProbe();
    kit.runCommand(new GetState(probe.ref()));
    return probe.receiveMessage();
  }
}
