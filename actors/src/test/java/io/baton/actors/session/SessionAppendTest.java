package io.baton.actors.session;

import static io.baton.actors.Rejection.Reason.CONFLICT;
import static io.baton.actors.Rejection.Reason.GAP;
import static io.baton.actors.Rejection.Reason.ILLEGAL_STATE;
import static io.baton.actors.Rejection.Reason.INVALID_ARGUMENT;
import static io.baton.actors.Rejection.Reason.LIMIT_EXCEEDED;
import static io.baton.actors.Rejection.Reason.STALE_ATTEMPT;
import static io.baton.actors.session.SessionStatus.GENERATING;
import static io.baton.actors.session.SessionStatus.PENDING;
import static io.baton.actors.session.SessionStatus.PLACED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.baton.actors.session.SessionCommand.Accepted;
import io.baton.actors.session.SessionEvent.*;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The token log: fencing, contiguity, idempotent retries, max_tokens, and KV checkpoints. */
class SessionAppendTest extends SessionTestBase {

  // --- append ---------------------------------------------------------------------------------

  @Test
  void firstAppendStartsGenerating() {
    placed();
    assertNull(kit.getState().firstTokenAt());
    Instant before = Instant.now();
    TokensAppended e = persists(TokensAppended.class, new Accepted(GENERATING, 1, 3), append(1, 0, tokens(0, 3)));
    assertEquals(new TokensAppended(1, 0, tokens(0, 3), e.at()), e);
    assertFalse(e.at().isBefore(before));
    SessionState s = kit.getState();
    assertEquals(GENERATING, s.status());
    assertEquals(tokens(0, 3), s.tokens());
    assertEquals(e.at(), s.firstTokenAt());
  }

  @Test
  void contiguousAppendsExtendTheLog() {
    generating(3);
    Instant firstTokenAt = kit.getState().firstTokenAt();
    TokensAppended e = persists(TokensAppended.class, new Accepted(GENERATING, 1, 5), append(1, 3, tokens(3, 2)));
    assertEquals(new TokensAppended(1, 3, tokens(3, 2), e.at()), e);
    persists(TokensAppended.class, new Accepted(GENERATING, 1, 6), append(1, 5, tokens(5, 1)));
    SessionState s = kit.getState();
    assertEquals(tokens(0, 6), s.tokens());
    assertEquals(firstTokenAt, s.firstTokenAt(), "only the first token sets firstTokenAt");
  }

  @Test
  void aZombieAttemptCannotAppend() {
    generating(3);
    persists(AttemptFailed.class, new Accepted(PENDING, 1, 3), failAttempt(1, XID_79));
    // Between failure and re-placement nobody may append.
    rejects(STALE_ATTEMPT, append(1, 3, tokens(3, 2)));
    persists(Placed.class, new Accepted(PLACED, 2, 3), place(2, "gpu-b", ResumeMethod.RECOMPUTE));
    // The old GPU comes back and flushes what it had: fenced, even with the right index and tokens.
    rejects(STALE_ATTEMPT, append(1, 3, tokens(3, 2)));
    rejects(STALE_ATTEMPT, append(1, 0, tokens(0, 3)));
    assertEquals(PLACED, kit.getState().status());
    persists(TokensAppended.class, new Accepted(GENERATING, 2, 5), append(2, 3, tokens(3, 2)));
  }

  @Test
  void anAttemptThatWasNeverPlacedCannotAppend() {
    submitted();
    rejects(STALE_ATTEMPT, append(0, 0, tokens(0, 1)));
    rejects(ILLEGAL_STATE, append(1, 0, tokens(0, 1)));
    generating(2);
    rejects(ILLEGAL_STATE, append(2, 2, tokens(2, 1)));
  }

  @Test
  void aChunkThatLeavesAGapIsRejected() {
    generating(3);
    rejects(GAP, append(1, 4, tokens(4, 2)));
  }

  @Test
  void aFirstChunkThatDoesNotStartAtZeroIsAGap() {
    placed();
    rejects(GAP, append(1, 1, tokens(1, 2)));
    assertEquals(PLACED, kit.getState().status());
  }

  @Test
  void aFullyDurableRetryIsAcknowledgedWithoutAnEvent() {
    generating(5);
    acknowledgesWithoutEvent(new Accepted(GENERATING, 1, 5), append(1, 0, tokens(0, 5)));
    acknowledgesWithoutEvent(new Accepted(GENERATING, 1, 5), append(1, 1, tokens(1, 2)));
    acknowledgesWithoutEvent(new Accepted(GENERATING, 1, 5), append(1, 4, tokens(4, 1)));
  }

  @Test
  void aNewAttemptRecomputingDurableTokensIsAcknowledgedAndStaysPlaced() {
    generating(4);
    persists(AttemptFailed.class, new Accepted(PENDING, 1, 4), failAttempt(1, XID_79));
    persists(Placed.class, new Accepted(PLACED, 2, 4), place(2, "gpu-b", ResumeMethod.RECOMPUTE));
    acknowledgesWithoutEvent(new Accepted(PLACED, 2, 4), append(2, 0, tokens(0, 4)));
    Instant firstTokenAt = kit.getState().firstTokenAt();
    TokensAppended e = persists(TokensAppended.class, new Accepted(GENERATING, 2, 6), append(2, 2, tokens(2, 4)));
    assertEquals(new TokensAppended(2, 4, tokens(4, 2), e.at()), e);
    assertEquals(firstTokenAt, kit.getState().firstTokenAt(), "the first token came in attempt 1");
  }

  @Test
  void aPartialRetryPersistsOnlyTheNewSuffix() {
    generating(4);
    TokensAppended e = persists(TokensAppended.class, new Accepted(GENERATING, 1, 7), append(1, 2, tokens(2, 5)));
    assertEquals(new TokensAppended(1, 4, tokens(4, 3), e.at()), e);
    assertEquals(tokens(0, 7), kit.getState().tokens());
  }

  @Test
  void aRetryThatDisagreesWithDurableTokensIsAConflict() {
    generating(4);
    rejects(CONFLICT, append(1, 0, List.of(100, 101, 999, 103)));
    rejects(CONFLICT, append(1, 3, List.of(999)));
    // A disagreeing overlap is a conflict even when the rest of the chunk is new.
    rejects(CONFLICT, append(1, 2, List.of(102, 999, 104, 105)));
    assertEquals(tokens(0, 4), kit.getState().tokens());
  }

  @Test
  void anEmptyOrNegativeChunkIsInvalid() {
    generating(2);
    rejects(INVALID_ARGUMENT, append(1, 2, List.of()));
    rejects(INVALID_ARGUMENT, append(1, -1, tokens(0, 3)));
  }

  @Test
  void appendsStopAtMaxTokens() {
    submitted(spec(5));
    persists(Placed.class, new Accepted(PLACED, 1, 0), place(1, "gpu-a", ResumeMethod.FRESH));
    persists(TokensAppended.class, new Accepted(GENERATING, 1, 3), append(1, 0, tokens(0, 3)));
    rejects(LIMIT_EXCEEDED, append(1, 3, tokens(3, 3)));
    // A retry overlapping the log is judged by its new tokens only.
    rejects(LIMIT_EXCEEDED, append(1, 1, tokens(1, 5)));
    persists(TokensAppended.class, new Accepted(GENERATING, 1, 5), append(1, 1, tokens(1, 4)));
    rejects(LIMIT_EXCEEDED, append(1, 5, tokens(5, 1)));
    acknowledgesWithoutEvent(new Accepted(GENERATING, 1, 5), append(1, 3, tokens(3, 2)));
    assertEquals(tokens(0, 5), kit.getState().tokens());
  }

  private void submitted(SessionSpec spec) {
    persists(Submitted.class, new Accepted(PENDING, 0, 0), submit(spec));
  }

  // --- KV checkpoints -------------------------------------------------------------------------

  @Test
  void aCheckpointCoversWholeBlocksOfPromptAndGeneratedTokens() {
    placed(); // 20 prompt tokens: one whole block
    KvCheckpointed first = persists(KvCheckpointed.class, new Accepted(PLACED, 1, 0), checkpoint(1, 16, "h0"));
    assertEquals(new KvCheckpointed(1, 16, List.of("h0"), first.at()), first);
    persists(TokensAppended.class, new Accepted(GENERATING, 1, 12), append(1, 0, tokens(0, 12)));
    KvCheckpointed second = persists(KvCheckpointed.class, new Accepted(GENERATING, 1, 12), checkpoint(1, 32, "h1"));
    assertEquals(new KvCheckpointed(1, 32, List.of("h1"), second.at()), second);
    SessionState s = kit.getState();
    assertEquals(32, s.checkpointUpto());
    assertEquals(List.of("h0", "h1"), s.checkpointBlocks());
    assertEquals(GENERATING, s.status(), "a checkpoint does not change the status");
  }

  @Test
  void aCheckpointMayCoverSeveralNewBlocks() {
    generating(28); // 48 tokens: three blocks
    persists(KvCheckpointed.class, new Accepted(GENERATING, 1, 28), checkpoint(1, 48, "h0", "h1", "h2"));
    assertEquals(List.of("h0", "h1", "h2"), kit.getState().checkpointBlocks());
  }

  @Test
  void aCheckpointOfACoveredRangeIsAcknowledgedWithoutAnEvent() {
    generating(12);
    persists(KvCheckpointed.class, new Accepted(GENERATING, 1, 12), checkpoint(1, 32, "h0", "h1"));
    acknowledgesWithoutEvent(new Accepted(GENERATING, 1, 12), checkpoint(1, 32, "h0", "h1"));
    acknowledgesWithoutEvent(new Accepted(GENERATING, 1, 12), checkpoint(1, 16, "h0"));
  }

  @Test
  void aMalformedCheckpointIsInvalid() {
    generating(12); // 32 tokens
    rejects(INVALID_ARGUMENT, checkpoint(1, 20, "h0"));
    rejects(INVALID_ARGUMENT, checkpoint(1, 48, "h0", "h1", "h2"));
    rejects(INVALID_ARGUMENT, checkpoint(1, 32, "h0"));
    rejects(INVALID_ARGUMENT, checkpoint(1, 32, "h0", "h1", "h2"));
    rejects(INVALID_ARGUMENT, checkpoint(1, 16));
    persists(KvCheckpointed.class, new Accepted(GENERATING, 1, 12), checkpoint(1, 16, "h0"));
    // Only the blocks after the last checkpoint are named.
    rejects(INVALID_ARGUMENT, checkpoint(1, 32, "h0", "h1"));
    assertEquals(16, kit.getState().checkpointUpto());
  }

  @Test
  void checkpointsAreFenced() {
    submitted();
    rejects(STALE_ATTEMPT, checkpoint(0, 16, "h0"));
    rejects(ILLEGAL_STATE, checkpoint(1, 16, "h0"));
    generating(12);
    rejects(ILLEGAL_STATE, checkpoint(2, 16, "h0"));
    persists(AttemptFailed.class, new Accepted(PENDING, 1, 12), failAttempt(1, XID_79));
    rejects(STALE_ATTEMPT, checkpoint(1, 16, "h0"));
    persists(Placed.class, new Accepted(PLACED, 2, 12), place(2, "gpu-b", ResumeMethod.RECOMPUTE));
    rejects(STALE_ATTEMPT, checkpoint(1, 16, "h0"));
    KvCheckpointed e = persists(KvCheckpointed.class, new Accepted(PLACED, 2, 12), checkpoint(2, 32, "h0", "h1"));
    assertEquals(2, e.attempt());
  }
}
