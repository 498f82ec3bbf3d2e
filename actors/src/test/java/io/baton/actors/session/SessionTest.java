package io.baton.actors.session;

import static io.baton.actors.Rejection.Reason.ILLEGAL_STATE;
import static io.baton.actors.Rejection.Reason.INVALID_ARGUMENT;
import static io.baton.actors.Rejection.Reason.STALE_ATTEMPT;
import static io.baton.actors.session.SessionStatus.COMPLETED;
import static io.baton.actors.session.SessionStatus.GENERATING;
import static io.baton.actors.session.SessionStatus.PENDING;
import static io.baton.actors.session.SessionStatus.PLACED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.actors.session.SessionCommand.*;
import io.baton.actors.session.SessionEvent.*;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Placement, attempt failure, GetTokens and GetState; submission is in SessionSubmitTest, the
 * endings are in SessionEndingTest.
 */
class SessionTest extends SessionTestBase {

  // --- place ----------------------------------------------------------------------------------

  @Test
  void placeStartsTheFirstAttempt() {
    submitted();
    Placed e = persists(Placed.class, new Accepted(PLACED, 1, 0), place(1, "gpu-a", ResumeMethod.FRESH));
    assertEquals(new Placed(1, "gpu-a", 0, ResumeMethod.FRESH, e.at()), e);
    SessionState s = kit.getState();
    assertEquals(PLACED, s.status());
    assertEquals(1, s.attempt());
    assertEquals(List.of(new Attempt(1, "gpu-a", ResumeMethod.FRESH, 0, e.at(), null)), s.attempts());
  }

  @Test
  void placeNeedsTheNextAttemptNumber() {
    submitted();
    rejects(STALE_ATTEMPT, place(0, "gpu-a", ResumeMethod.FRESH));
    rejects(STALE_ATTEMPT, place(2, "gpu-a", ResumeMethod.FRESH));
    placed();
    persists(AttemptFailed.class, new Accepted(PENDING, 1, 0), failAttempt(1, XID_79));
    // A second placer racing with attempt 1 lost: attempt 1 is over.
    rejects(STALE_ATTEMPT, place(1, "gpu-b", ResumeMethod.FRESH));
    rejects(STALE_ATTEMPT, place(3, "gpu-b", ResumeMethod.FRESH));
    persists(Placed.class, new Accepted(PLACED, 2, 0), place(2, "gpu-b", ResumeMethod.FRESH));
  }

  @Test
  void placeWhileRunningIsIllegal() {
    placed();
    rejects(ILLEGAL_STATE, place(2, "gpu-b", ResumeMethod.FRESH));
    rejects(ILLEGAL_STATE, place(1, "gpu-b", ResumeMethod.FRESH));
    persists(TokensAppended.class, new Accepted(GENERATING, 1, 2), append(1, 0, tokens(0, 2)));
    rejects(ILLEGAL_STATE, place(2, "gpu-b", ResumeMethod.RECOMPUTE));
  }

  @Test
  void placeNeedsAWorker() {
    submitted();
    rejects(INVALID_ARGUMENT, place(1, null, ResumeMethod.FRESH));
    rejects(INVALID_ARGUMENT, place(1, " ", ResumeMethod.FRESH));
  }

  @Test
  void freshPlacementAfterDurableTokensIsRefused() {
    generating(3);
    persists(AttemptFailed.class, new Accepted(PENDING, 1, 3), failAttempt(1, XID_79));
    rejects(INVALID_ARGUMENT, place(2, "gpu-b", ResumeMethod.FRESH));
    Placed e = persists(Placed.class, new Accepted(PLACED, 2, 3), place(2, "gpu-b", ResumeMethod.RECOMPUTE));
    assertEquals(new Placed(2, "gpu-b", 3, ResumeMethod.RECOMPUTE, e.at()), e);
  }

  @Test
  void kvRestoreNeedsACheckpoint() {
    generating(3);
    persists(AttemptFailed.class, new Accepted(PENDING, 1, 3), failAttempt(1, XID_79));
    rejects(INVALID_ARGUMENT, place(2, "gpu-b", ResumeMethod.KV_RESTORE));
  }

  @Test
  void resumeFromIsTheDurableTokenCount() {
    generating(12); // prompt 20 + 12 = 32 tokens: two KV blocks
    persists(KvCheckpointed.class, new Accepted(GENERATING, 1, 12), checkpoint(1, 32, "h0", "h1"));
    persists(TokensAppended.class, new Accepted(GENERATING, 1, 15), append(1, 12, tokens(12, 3)));
    persists(AttemptFailed.class, new Accepted(PENDING, 1, 15), failAttempt(1, XID_79));
    Placed e = persists(Placed.class, new Accepted(PLACED, 2, 15), place(2, "gpu-b", ResumeMethod.KV_RESTORE));
    assertEquals(new Placed(2, "gpu-b", 15, ResumeMethod.KV_RESTORE, e.at()), e);
    SessionState s = kit.getState();
    assertEquals(new Attempt(2, "gpu-b", ResumeMethod.KV_RESTORE, 15, e.at(), null), s.currentAttempt());
    assertEquals(15, s.tokenCount());
    assertEquals(32, s.checkpointUpto());
  }

  // --- attempt failure ------------------------------------------------------------------------

  @Test
  void failingAnAttemptReturnsTheSessionToPendingAndRecordsWhy() {
    generating(4);
    Attempt running = kit.getState().currentAttempt();
    AttemptFailed e = persists(AttemptFailed.class, new Accepted(PENDING, 1, 4), failAttempt(1, XID_79));
    assertEquals(new AttemptFailed(1, XID_79, e.at()), e);
    SessionState s = kit.getState();
    assertEquals(PENDING, s.status());
    assertEquals(List.of(new Attempt(1, "gpu-a", ResumeMethod.FRESH, 0, running.placedAt(), XID_79)), s.attempts());
    assertEquals(tokens(0, 4), s.tokens(), "durable tokens survive the failed attempt");
  }

  @Test
  void failingAPlacedAttemptBeforeAnyTokenWorks() {
    placed();
    FailureCause timeout = FailureCause.of(FailureCause.Kind.PROGRESS_TIMEOUT, "no token for 30s");
    persists(AttemptFailed.class, new Accepted(PENDING, 1, 0), failAttempt(1, timeout));
    assertEquals(timeout, kit.getState().currentAttempt().failure());
  }

  @Test
  void eachAttemptKeepsItsOwnFailure() {
    generating(2);
    FailureCause lost = FailureCause.of(FailureCause.Kind.NODE_UNREACHABLE, "node-7 unreachable");
    persists(AttemptFailed.class, new Accepted(PENDING, 1, 2), failAttempt(1, XID_79));
    persists(Placed.class, new Accepted(PLACED, 2, 2), place(2, "gpu-b", ResumeMethod.RECOMPUTE));
    persists(AttemptFailed.class, new Accepted(PENDING, 2, 2), failAttempt(2, lost));
    persists(Placed.class, new Accepted(PLACED, 3, 2), place(3, "gpu-c", ResumeMethod.RECOMPUTE));
    List<Attempt> attempts = kit.getState().attempts();
    assertEquals(List.of(1, 2, 3), attempts.stream().map(Attempt::number).toList());
    assertEquals(List.of("gpu-a", "gpu-b", "gpu-c"), attempts.stream().map(Attempt::workerId).toList());
    assertEquals(XID_79, attempts.get(0).failure());
    assertEquals(lost, attempts.get(1).failure());
    assertNull(attempts.get(2).failure());
  }

  @Test
  void failingAStaleOrUnplacedAttemptIsRejected() {
    submitted();
    rejects(STALE_ATTEMPT, failAttempt(0, XID_79));
    rejects(ILLEGAL_STATE, failAttempt(1, XID_79));
    generating(2);
    rejects(ILLEGAL_STATE, failAttempt(2, XID_79));
    persists(AttemptFailed.class, new Accepted(PENDING, 1, 2), failAttempt(1, XID_79));
    // The health monitor and the worker may both report the same failure: the second is stale.
    rejects(STALE_ATTEMPT, failAttempt(1, FailureCause.of(FailureCause.Kind.ENGINE_ERROR, "late")));
    persists(Placed.class, new Accepted(PLACED, 2, 2), place(2, "gpu-b", ResumeMethod.RECOMPUTE));
    rejects(STALE_ATTEMPT, failAttempt(1, XID_79));
    assertEquals(XID_79, kit.getState().attempts().get(0).failure());
  }

  // --- queries --------------------------------------------------------------------------------

  @Test
  void getTokensReturnsTheDurableSuffix() {
    generating(5);
    assertTokens(0, new TokenUpdate(sessionId, 0, tokens(0, 5), GENERATING, null));
    assertTokens(2, new TokenUpdate(sessionId, 2, tokens(2, 3), GENERATING, null));
    assertTokens(5, new TokenUpdate(sessionId, 5, List.of(), GENERATING, null));
    assertTokens(9, new TokenUpdate(sessionId, 5, List.of(), GENERATING, null));
    assertTokens(-3, new TokenUpdate(sessionId, 0, tokens(0, 5), GENERATING, null));
    persists(Completed.class, new Accepted(COMPLETED, 1, 5), complete(1, "length"));
    assertTokens(3, new TokenUpdate(sessionId, 3, tokens(3, 2), COMPLETED, "length"));
  }

  private void assertTokens(int fromIndex, TokenUpdate expected) {
    var result = kit.<TokenUpdate>runCommand(r -> new GetTokens(fromIndex, r));
    assertEquals(expected, result.reply());
    assertTrue(result.hasNoEvents());
  }

  @Test
  void getStateReturnsTheState() {
    generating(2);
    var result = kit.<SessionState>runCommand(GetState::new);
    assertEquals(kit.getState(), result.reply());
    assertEquals(tokens(0, 2), result.reply().tokens());
    assertTrue(result.hasNoEvents());
  }
}
