package io.baton.actors.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.actors.session.SessionCommand.Admit;
import io.baton.actors.session.SessionCommand.Candidate;
import io.baton.actors.session.SessionCommand.Hint;
import io.baton.actors.session.SessionCommand.Offer;
import io.baton.actors.session.SessionEvent.AttemptFailed;
import io.baton.actors.session.SessionEvent.Placed;
import io.baton.actors.session.SessionEvent.Queued;
import io.baton.actors.session.SessionEvent.Submitted;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A session's part in its model's admission queue: an empty offer records that it queued, in the
 * submission's own write when it is new; it tells the queue; once admitted it asks its placer as
 * admitted; a placement tells the queue it left; a preemption is counted.
 */
class SessionQueueingTest extends SessionTestBase {
  sealed interface Heard {}

  record Asked(boolean admitted, int attempt) implements Heard {}

  record Waits(Instant queuedAt, int attempt) implements Heard {}

  record LeftQueue(String why) implements Heard {}

  record Preempted(int attempt) implements Heard {}

  TestProbe<Heard> heard;
  TestProbe<Grant> agent;

  @BeforeEach
  void sessionWithQueue() {
    heard = testKit.createTestProbe();
    agent = testKit.createTestProbe();
    SessionHooks hooks = new SessionHooks() {
      @Override
      public void needsPlacement(SessionState state, ActorRef<SessionCommand> replyTo) {
        heard.ref().tell(new Asked(false, state.attempt()));
      }

      @Override
      public void placeAdmitted(SessionState state, ActorRef<SessionCommand> replyTo) {
        heard.ref().tell(new Asked(true, state.attempt()));
      }

      @Override
      public void waitForRoom(SessionState state) {
        heard.ref().tell(new Waits(state.queuedAt(), state.attempt()));
      }

      @Override
      public void leftQueue(SessionState state, String why) {
        heard.ref().tell(new LeftQueue(why));
      }

      @Override
      public void preempted(SessionState state) {
        heard.ref().tell(new Preempted(state.attempt()));
      }

      @Override
      public void attemptTimedOut(SessionState state, Attempt attempt) {}

      @Override
      public boolean placesOnSubmit() {
        return true;
      }
    };
    kit = EventSourcedBehaviorTestKit.create(testKit.system(),
        Session.create(sessionId, settings, hooks, Optional.empty()));
  }

  /** Submits; the placer's answer is an empty offer, so Submitted and Queued are one write. */
  Instant submittedAndQueued() {
    TestProbe<SessionCommand.Reply> client = testKit.createTestProbe();
    assertTrue(kit.runCommand(new SessionCommand.Submit(spec(8), client.ref())).hasNoEvents());
    assertEquals(new Asked(false, 0), heard.receiveMessage());
    var result = kit.runCommand(new Offer(1, List.of()));
    assertEquals(2, result.events().size());
    assertTrue(result.events().get(0) instanceof Submitted);
    Queued queued = (Queued) result.events().get(1);
    assertEquals(queued.at(), kit.getState().queuedAt());
    assertEquals(SessionStatus.PENDING, ((SessionCommand.Accepted) client.receiveMessage()).status());
    return queued.at();
  }

  /** The next message that is not a repeated ask from the placement timer. */
  Heard next() {
    Heard h = heard.receiveMessage(Duration.ofSeconds(3));
    return h instanceof Asked a && !a.admitted() ? next() : h;
  }

  @Test
  void aNewSessionWithNoRoomQueuesInItsSubmissionWriteAndTellsTheQueue() {
    Instant at = submittedAndQueued();
    assertEquals(new Waits(at, 0), next());
    // Offered nothing again (the timer's retry): no second Queued, the queue hears again with the same time.
    assertTrue(kit.runCommand(new Offer(1, List.of())).hasNoEvents());
    assertEquals(new Waits(at, 0), next());
  }

  @Test
  void anAdmittedSessionAsksAsAdmittedAndLeavesNothingBehindWhenPlaced() {
    submittedAndQueued();
    next();
    kit.runCommand(new Admit());
    assertEquals(new Asked(true, 0), next());
    Placed placed = (Placed) kit.runCommand(new Offer(1, List.of(new Candidate("gpu-a", ResumeMethod.FRESH,
        agent.ref())))).event();
    assertEquals("gpu-a", placed.workerId());
    assertNull(kit.getState().queuedAt());
    agent.receiveMessage();
    // Admitted, so the queue let it go already; told anyway, since a Wait may have crossed the admission.
    assertEquals(new LeftQueue("placed on gpu-a"), next());
  }

  @Test
  void anAdmittedSessionOfferedNothingStaysAdmittedAndDoesNotQueueAgain() {
    Instant at = submittedAndQueued();
    next();
    kit.runCommand(new Admit());
    assertEquals(new Asked(true, 0), next());
    // An empty offer (asked for before the admission, or no room yet): it keeps its admission.
    assertTrue(kit.runCommand(new Offer(1, List.of())).hasNoEvents());
    // The placement retry renews the admission with the same queued time, then asks as admitted again.
    assertEquals(new Waits(at, 0), next());
    assertEquals(new Asked(true, 0), next());
    assertEquals(at, kit.getState().queuedAt(), "no second Queued");
  }

  @Test
  void aSessionPlacedWithoutTheQueuesAdmissionTellsTheQueueItLeft() {
    submittedAndQueued();
    next();
    kit.runCommand(new Offer(1, List.of(new Candidate("gpu-a", ResumeMethod.FRESH, agent.ref()))));
    assertEquals(new LeftQueue("placed on gpu-a"), next());
  }

  @Test
  void aPreemptedSessionIsCountedAndQueuesAgainWithItsTokens() {
    submittedAndQueued();
    next();
    kit.runCommand(new Admit());
    next();
    kit.runCommand(new Offer(1, List.of(new Candidate("gpu-a", ResumeMethod.FRESH, agent.ref()))));
    assertEquals(new LeftQueue("placed on gpu-a"), next());
    kit.<SessionCommand.Reply>runCommand(r -> new SessionCommand.AppendTokens(1, 0, tokens(0, 3), r));
    assertTrue(kit.runCommand(new Hint(1, "gpu-a", FailureCause.of(FailureCause.Kind.PREEMPTED, "interactive")))
        .event() instanceof AttemptFailed);
    assertEquals(new Preempted(1), next());
    Queued again = (Queued) kit.runCommand(new Offer(2, List.of())).event();
    assertEquals(1, again.attempt());
    assertEquals(new Waits(again.at(), 1), next());
    assertEquals(3, kit.getState().tokenCount());
  }
}
