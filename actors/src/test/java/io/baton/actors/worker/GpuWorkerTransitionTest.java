package io.baton.actors.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.actors.Rejection;
import io.baton.actors.worker.GpuWorkerCommand.*;
import io.baton.actors.worker.GpuWorkerEvent.*;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResultWithReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every status change from every registered status, against a table written out here on its own,
 * so that a change to the rules has to be made twice, on purpose.
 */
class GpuWorkerTransitionTest {

  /** Each status-changing command, with the event it persists when it moves the GPU. */
  enum Op {
    CORDON(Cordoned.class),
    UNCORDON(ReturnedToService.class),
    DRAIN(DrainStarted.class),
    SUSPECT(MarkedSuspect.class),
    RESET(ResetStarted.class),
    PROMOTE(Promoted.class),
    DEMOTE(Demoted.class),
    HEALTH_PASS(HealthCheckPassed.class),
    HEALTH_FAIL(HealthCheckFailed.class);

    final Class<? extends StatusChanged> event;

    Op(Class<? extends StatusChanged> event) {
      this.event = event;
    }

    GpuWorkerCommand command(String by, String reason, ActorRef<Reply> r) {
      if (this == CORDON) {
        return new Cordon(by, reason, r);
      } else if (this == UNCORDON) {
        return new Uncordon(by, reason, r);
      } else if (this == DRAIN) {
        return new Drain(by, reason, r);
      } else if (this == SUSPECT) {
        return new MarkSuspect(by, reason, r);
      } else if (this == RESET) {
        return new StartReset(by, reason, r);
      } else if (this == PROMOTE) {
        return new Promote(by, reason, r);
      } else if (this == DEMOTE) {
        return new Demote(by, reason, r);
      }
      return new ReportHealthCheck(this == HEALTH_PASS, by, reason, r);
    }
  }

  private static final List<GpuStatus> COLUMNS = List.of(
      GpuStatus.ACTIVE, GpuStatus.SPARE, GpuStatus.SUSPECT, GpuStatus.CORDONED, GpuStatus.DRAINING,
      GpuStatus.RESETTING, GpuStatus.RETIRED);

  // A status: the GPU moves there. "=": already there, acknowledged, nothing persisted. "x": rejected.
  private static final String[] TABLE = {
      //            ACTIVE     SPARE      SUSPECT    CORDONED   DRAINING   RESETTING  RETIRED
      "CORDON       CORDONED   CORDONED   CORDONED   =          CORDONED   CORDONED   x",
      "UNCORDON     =          =          SPARE      SPARE      x          x          x",
      "DRAIN        DRAINING   x          x          x          =          x          x",
      "SUSPECT      SUSPECT    SUSPECT    =          x          SUSPECT    x          x",
      "RESET        x          x          RESETTING  RESETTING  x          =          x",
      "PROMOTE      =          ACTIVE     x          x          x          x          x",
      "DEMOTE       SPARE      =          x          x          SPARE      x          x",
      "HEALTH_PASS  x          =          SPARE      SPARE      x          SPARE      x",
      "HEALTH_FAIL  x          x          CORDONED   CORDONED   x          CORDONED   x",
  };

  private static ActorTestKit testKit;

  @BeforeAll
  static void start() {
    testKit = WorkerFixture.actorTestKit();
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  static Stream<Arguments> cases() {
    List<Arguments> cases = new ArrayList<>();
    for (String row : TABLE) {
      String[] cells = row.trim().split("\\s+");
      for (int i = 0; i < COLUMNS.size(); i++) {
        cases.add(Arguments.of(Op.valueOf(cells[0]), COLUMNS.get(i), cells[i + 1]));
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0} from {1} -> {2}")
  @MethodSource("cases")
  void everyMoveFromEveryStatus(Op op, GpuStatus from, String expected) {
    EventSourcedBehaviorTestKit<GpuWorkerCommand, GpuWorkerEvent, GpuWorkerState> kit =
        WorkerFixture.newWorker(testKit);
    WorkerFixture.bringTo(kit, from);
    GpuWorkerState before = kit.getState();

    CommandResultWithReply<GpuWorkerCommand, GpuWorkerEvent, GpuWorkerState, Reply> result =
        kit.runCommand(r -> op.command("bob", "why " + op, r));

    if (expected.equals("x")) {
      Rejection rejection = assertInstanceOf(Rejected.class, result.reply()).rejection();
      assertEquals(Rejection.Reason.ILLEGAL_STATE, rejection.reason());
      assertTrue(result.hasNoEvents());
      assertEquals(before, result.state());
    } else if (expected.equals("=")) {
      assertEquals(new Accepted(from), result.reply());
      assertTrue(result.hasNoEvents());
      assertEquals(before, result.state());
    } else {
      GpuStatus to = GpuStatus.valueOf(expected);
      assertEquals(new Accepted(to), result.reply());
      StatusChanged event = assertInstanceOf(op.event, result.event());
      assertEquals("bob", event.by());
      assertEquals("why " + op, event.reason());
      assertEquals(to, result.state().status());
      assertEquals(event.at(), result.state().since());
      assertEquals(new HistoryEntry(from, to, "bob", "why " + op, event.at()), result.state().lastChange());
      assertEquals(before.history().size() + 1, result.state().history().size());
    }
  }

  @ParameterizedTest(name = "{0} without a reason")
  @MethodSource("ops")
  void aMoveNeedsWhoAndWhy(Op op) {
    EventSourcedBehaviorTestKit<GpuWorkerCommand, GpuWorkerEvent, GpuWorkerState> kit =
        WorkerFixture.newWorker(testKit);
    WorkerFixture.bringTo(kit, GpuStatus.CORDONED);

    for (String[] byAndReason : new String[][] {{"bob", " "}, {"", "why"}, {null, "why"}, {"bob", null}}) {
      CommandResultWithReply<GpuWorkerCommand, GpuWorkerEvent, GpuWorkerState, Reply> result =
          kit.runCommand(r -> op.command(byAndReason[0], byAndReason[1], r));
      Rejection rejection = assertInstanceOf(Rejected.class, result.reply()).rejection();
      assertEquals(Rejection.Reason.INVALID_ARGUMENT, rejection.reason());
      assertTrue(result.hasNoEvents());
    }
  }

  @ParameterizedTest(name = "{0} before registration")
  @MethodSource("ops")
  void aMoveBeforeRegistrationIsNotFound(Op op) {
    EventSourcedBehaviorTestKit<GpuWorkerCommand, GpuWorkerEvent, GpuWorkerState> kit =
        WorkerFixture.newWorker(testKit);
    CommandResultWithReply<GpuWorkerCommand, GpuWorkerEvent, GpuWorkerState, Reply> result =
        kit.runCommand(r -> op.command("bob", "why", r));

    assertEquals(Rejection.Reason.NOT_FOUND, assertInstanceOf(Rejected.class, result.reply()).rejection().reason());
    assertTrue(result.hasNoEvents());
    assertEquals(GpuStatus.UNREGISTERED, result.state().status());
  }

  static Stream<Op> ops() {
    return Stream.of(Op.values());
  }
}
