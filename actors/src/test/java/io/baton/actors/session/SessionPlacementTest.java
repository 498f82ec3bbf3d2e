package io.baton.actors.session;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.actors.session.SessionCommand.Accepted;
import io.baton.actors.session.SessionCommand.Heartbeat;
import io.baton.actors.session.SessionCommand.LeaseDue;
import io.baton.actors.session.SessionEvent.AttemptFailed;
import io.baton.actors.session.SessionEvent.Failed;
import io.baton.actors.session.SessionEvent.Placed;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** How a session asks for GPUs, notices a silent attempt, and recognises a poison request. */
class SessionPlacementTest extends SessionTestBase {
  static final Duration LEASE = Duration.ofSeconds(2);
  static final FailureCause APP_13 = FailureCause.xid(13, "app-fault", "graphics engine exception");
  static final FailureCause APP_31 = FailureCause.xid(31, "app-fault", "MMU fault");

  sealed interface Heard {}

  record NeedsPlacement(SessionState state) implements Heard {}

  record TimedOut(String workerId, int attempt) implements Heard {}

  /** Status changes, apart from {@link Heard} so placement tests see only theirs. */
  record Census(SessionStatus from, SessionStatus to) {}

  TestProbe<Heard> heard;
  TestProbe<Census> census;

  @BeforeEach
  void sessionWithHooks() {
    heard = testKit.createTestProbe();
    census = testKit.createTestProbe();
    SessionHooks hooks = new SessionHooks() {
      @Override
      public void needsPlacement(SessionState state, ActorRef<SessionCommand> replyTo) {
        heard.ref().tell(new NeedsPlacement(state));
      }

      @Override
      public void attemptTimedOut(SessionState state, Attempt attempt) {
        heard.ref().tell(new TimedOut(attempt.workerId(), attempt.number()));
      }

      @Override
      public void statusChanged(SessionStatus from, SessionStatus to) {
        census.ref().tell(new Census(from, to));
      }
    };
    kit = EventSourcedBehaviorTestKit.create(testKit.system(),
        Session.create(sessionId, settings.withLease(LEASE), hooks, java.util.Optional.empty()));
  }

  @Test
  void aPendingSessionAsksForAGpuUntilPlaced() {
    submitted();
    NeedsPlacement first = heard.expectMessageClass(NeedsPlacement.class);
    assertEquals(SessionStatus.PENDING, first.state().status());
    // Nobody answered: it asks again every placement-retry.
    heard.expectMessageClass(NeedsPlacement.class, settings.placementRetry().multipliedBy(4));
    placed();
    drainAlreadyHeard();
    heard.expectNoMessage(settings.placementRetry().multipliedBy(3));
  }

  /** Asks a retry timer sent before the placement cancelled it; none may follow. */
  private void drainAlreadyHeard() {
    while (true) {
      try {
        heard.expectMessageClass(NeedsPlacement.class, Duration.ofMillis(20));
      } catch (AssertionError nothingMore) {
        return;
      }
    }
  }

  @Test
  void everyStatusChangeIsCountedOnce() {
    generating(2);
    assertEquals(new Census(null, SessionStatus.PENDING), census.receiveMessage());
    assertEquals(new Census(SessionStatus.PENDING, SessionStatus.PLACED), census.receiveMessage());
    assertEquals(new Census(SessionStatus.PLACED, SessionStatus.GENERATING), census.receiveMessage());
    census.expectNoMessage(Duration.ofMillis(100));

    kit.restart();
    // The old incarnation stopped (it leaves the count), the new one recovered into it again.
    assertEquals(new Census(SessionStatus.GENERATING, null), census.receiveMessage());
    assertEquals(new Census(null, SessionStatus.GENERATING), census.receiveMessage());
  }

  @Test
  void aConfirmedAttemptThatFallsSilentLosesItsLeaseAndBlamesItsGpu() {
    generating(3);
    kit.runCommand(new Heartbeat(1));
    heard.fishForMessage(LEASE.multipliedBy(3), m -> m instanceof TimedOut
        ? org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.complete()
        : org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.continueAndIgnore());
    await().atMost(Duration.ofSeconds(5)).until(() -> kit.getState().status() == SessionStatus.PENDING);
    SessionState s = kit.getState();
    assertEquals(FailureCause.Kind.LEASE_EXPIRED, s.currentAttempt().failure().kind());
    assertEquals(3, s.tokenCount(), "durable tokens survive the failed attempt");
    // Pending again, so it asks for a new GPU.
    NeedsPlacement again = heard.expectMessageClass(NeedsPlacement.class);
    assertEquals(1, again.state().attempt());
  }

  @Test
  void aTimerForAnEarlierAttemptChangesNothing() {
    generating(2);
    persists(AttemptFailed.class, new Accepted(SessionStatus.PENDING, 1, 2), failAttempt(1, XID_79));
    persists(Placed.class, new Accepted(SessionStatus.PLACED, 2, 2), place(2, "gpu-b", ResumeMethod.RECOMPUTE));
    var result = kit.runCommand(new LeaseDue(1, false));
    assertTrue(result.hasNoEvents(), () -> "persisted " + result.events());
    assertEquals(SessionStatus.PLACED, result.state().status());
  }

  @Test
  void anAppFaultOnTwoGpusIsAPoisonRequestAndEndsTheSession() {
    generating(2);
    persists(AttemptFailed.class, new Accepted(SessionStatus.PENDING, 1, 2), failAttempt(1, APP_13));
    persists(Placed.class, new Accepted(SessionStatus.PLACED, 2, 2), place(2, "gpu-b", ResumeMethod.RECOMPUTE));
    var result = run(failAttempt(2, APP_31));
    assertEquals(new Accepted(SessionStatus.FAILED, 2, 2), result.reply());
    assertEquals(2, result.events().size(), () -> "events: " + result.events());
    assertInstanceOf(AttemptFailed.class, result.events().get(0));
    Failed failed = assertInstanceOf(Failed.class, result.events().get(1));
    assertTrue(failed.error().startsWith("poison request"), failed::error);
    assertTrue(failed.error().contains("gpu-a") && failed.error().contains("gpu-b"), failed::error);
  }

  @Test
  void anAppFaultTwiceOnOneGpuOrBesideAHardwareFaultIsNoPoison() {
    generating(2);
    persists(AttemptFailed.class, new Accepted(SessionStatus.PENDING, 1, 2), failAttempt(1, APP_13));
    persists(Placed.class, new Accepted(SessionStatus.PLACED, 2, 2), place(2, "gpu-a", ResumeMethod.RECOMPUTE));
    persists(AttemptFailed.class, new Accepted(SessionStatus.PENDING, 2, 2), failAttempt(2, APP_31));
    persists(Placed.class, new Accepted(SessionStatus.PLACED, 3, 2), place(3, "gpu-b", ResumeMethod.RECOMPUTE));
    // A hardware XID on another GPU says nothing about the request.
    persists(AttemptFailed.class, new Accepted(SessionStatus.PENDING, 3, 2), failAttempt(3, XID_79));
    assertEquals(List.of(APP_13, APP_31, XID_79),
        kit.getState().attempts().stream().map(Attempt::failure).toList());
  }

  @Test
  void anEngineErrorOnTwoGpusIsAPoisonRequestSoARefusedRequestIsNotPlacedForever() {
    FailureCause refused = FailureCause.of(FailureCause.Kind.ENGINE_ERROR,
        "vllm engine answered 400: This model's maximum context length is 1024 tokens");
    generating(2);
    persists(AttemptFailed.class, new Accepted(SessionStatus.PENDING, 1, 2), failAttempt(1, refused));
    persists(Placed.class, new Accepted(SessionStatus.PLACED, 2, 2), place(2, "gpu-b", ResumeMethod.RECOMPUTE));
    var result = run(failAttempt(2, refused));
    assertEquals(new Accepted(SessionStatus.FAILED, 2, 2), result.reply());
    Failed failed = assertInstanceOf(Failed.class, result.events().get(1));
    assertTrue(failed.error().contains("engines of two GPUs") && failed.error().contains("maximum context length"),
        failed::error);
  }

  @Test
  void enginesLostOnTwoGpusAreNoPoison() {
    FailureCause lost = FailureCause.of(FailureCause.Kind.ENGINE_LOST, "baton engine at http://h:1 cannot be reached");
    generating(2);
    persists(AttemptFailed.class, new Accepted(SessionStatus.PENDING, 1, 2), failAttempt(1, lost));
    persists(Placed.class, new Accepted(SessionStatus.PLACED, 2, 2), place(2, "gpu-b", ResumeMethod.RECOMPUTE));
    assertEquals(new Accepted(SessionStatus.PENDING, 2, 2), run(failAttempt(2, lost)).reply());
  }
}
