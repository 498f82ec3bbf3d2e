package io.baton.actors.session;

import static io.baton.actors.Rejection.Reason.ALREADY_EXISTS;
import static io.baton.actors.Rejection.Reason.ALREADY_TERMINAL;
import static io.baton.actors.Rejection.Reason.ILLEGAL_STATE;
import static io.baton.actors.Rejection.Reason.STALE_ATTEMPT;
import static io.baton.actors.session.SessionStatus.CANCELLED;
import static io.baton.actors.session.SessionStatus.COMPLETED;
import static io.baton.actors.session.SessionStatus.FAILED;
import static io.baton.actors.session.SessionStatus.GENERATING;
import static io.baton.actors.session.SessionStatus.PENDING;
import static io.baton.actors.session.SessionStatus.PLACED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.baton.actors.session.SessionCommand.*;
import io.baton.actors.session.SessionEvent.*;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Complete, Fail and Cancel, and exactly one terminal event per session. */
class SessionEndingTest extends SessionTestBase {

  @Test
  void completeRecordsUsage() {
    generating(5);
    Completed e = persists(Completed.class, new Accepted(COMPLETED, 1, 5), complete(1, "stop"));
    assertEquals(new Completed("stop", new Usage(20, 5), e.at()), e);
    assertEquals(25, e.usage().totalTokens());
    SessionState s = kit.getState();
    assertEquals(COMPLETED, s.status());
    assertEquals(new Usage(20, 5), s.usage());
    assertEquals("stop", s.terminalReason());
    assertEquals(e.at(), s.endedAt());
  }

  @Test
  void completeCountsTokensOfEveryAttempt() {
    generating(3);
    persists(AttemptFailed.class, new Accepted(PENDING, 1, 3), failAttempt(1, XID_79));
    persists(Placed.class, new Accepted(PLACED, 2, 3), place(2, "gpu-b", ResumeMethod.RECOMPUTE));
    persists(TokensAppended.class, new Accepted(GENERATING, 2, 7), append(2, 3, tokens(3, 4)));
    Completed e = persists(Completed.class, new Accepted(COMPLETED, 2, 7), complete(2, "length"));
    assertEquals(new Usage(20, 7), e.usage());
  }

  @Test
  void completeWithoutTokensIsAllowed() {
    placed();
    Completed e = persists(Completed.class, new Accepted(COMPLETED, 1, 0), complete(1, "stop"));
    assertEquals(new Usage(20, 0), e.usage());
  }

  @Test
  void completeIsFenced() {
    submitted();
    rejects(STALE_ATTEMPT, complete(0, "stop"));
    rejects(ILLEGAL_STATE, complete(1, "stop"));
    generating(2);
    rejects(ILLEGAL_STATE, complete(2, "stop"));
    persists(AttemptFailed.class, new Accepted(PENDING, 1, 2), failAttempt(1, XID_79));
    rejects(STALE_ATTEMPT, complete(1, "stop"));
    persists(Placed.class, new Accepted(PLACED, 2, 2), place(2, "gpu-b", ResumeMethod.RECOMPUTE));
    rejects(STALE_ATTEMPT, complete(1, "stop"));
  }

  @Test
  void failEndsTheSessionFromAnyLiveState() {
    generating(2);
    Failed e = persists(Failed.class, new Accepted(FAILED, 1, 2), fail("poison request"));
    assertEquals(new Failed("poison request", e.at()), e);
    SessionState s = kit.getState();
    assertEquals(FAILED, s.status());
    assertEquals("poison request", s.terminalReason());
    assertEquals(e.at(), s.endedAt());
    assertNull(s.usage());
  }

  @Test
  void failFromPending() {
    submitted();
    persists(Failed.class, new Accepted(FAILED, 0, 0), fail("no GPU can hold this model"));
  }

  @Test
  void cancelFromPending() {
    submitted();
    Cancelled e = persists(Cancelled.class, new Accepted(CANCELLED, 0, 0), cancel("client went away"));
    assertEquals(new Cancelled("client went away", e.at()), e);
    SessionState s = kit.getState();
    assertEquals(CANCELLED, s.status());
    assertEquals("client went away", s.terminalReason());
    assertEquals(e.at(), s.endedAt());
  }

  @Test
  void cancelFromPlaced() {
    placed();
    persists(Cancelled.class, new Accepted(CANCELLED, 1, 0), cancel("client went away"));
  }

  @Test
  void cancelFromGenerating() {
    generating(6);
    persists(Cancelled.class, new Accepted(CANCELLED, 1, 6), cancel("client went away"));
    assertEquals(tokens(0, 6), kit.getState().tokens());
  }

  enum Ending {
    COMPLETE(complete(1, "stop"), COMPLETED, "stop"),
    FAIL(fail("engine crashed"), FAILED, "engine crashed"),
    CANCEL(cancel("client went away"), CANCELLED, "client went away");

    final Cmd command;
    final SessionStatus status;
    final String reason;

    Ending(Cmd command, SessionStatus status, String reason) {
      this.command = command;
      this.status = status;
      this.reason = reason;
    }
  }

  /** Attempt 1 with 3 tokens, then ended. */
  SessionState ended(Ending ending) {
    generating(3);
    persists(SessionEvent.class, new Accepted(ending.status, 1, 3), ending.command);
    assertEquals(ending.reason, kit.getState().terminalReason());
    return kit.getState();
  }

  static Stream<Arguments> endingsAndMutations() {
    return Stream.of(Ending.values()).flatMap(ending -> Stream.of(
        Arguments.of(ending, "complete", complete(1, "stop")),
        Arguments.of(ending, "fail", fail("again")),
        Arguments.of(ending, "cancel", cancel("again")),
        Arguments.of(ending, "append", append(1, 3, tokens(3, 1))),
        Arguments.of(ending, "append a durable chunk", append(1, 0, tokens(0, 3))),
        Arguments.of(ending, "checkpoint", checkpoint(1, 16, "h0")),
        Arguments.of(ending, "fail attempt", failAttempt(1, XID_79)),
        Arguments.of(ending, "place", place(2, "gpu-b", ResumeMethod.RECOMPUTE))));
  }

  @ParameterizedTest(name = "{1} after {0}")
  @MethodSource("endingsAndMutations")
  void anEndedSessionRefusesEveryMutation(Ending ending, String name, Cmd command) {
    SessionState ended = ended(ending);
    rejects(ALREADY_TERMINAL, command);
    assertEquals(ended, kit.getState());
  }

  @ParameterizedTest
  @EnumSource(Ending.class)
  void anEndedSessionStillAcknowledgesItsOwnSubmission(Ending ending) {
    ended(ending);
    acknowledgesWithoutEvent(new Accepted(ending.status, 1, 3), submit(SPEC));
    rejects(ALREADY_EXISTS, submit(spec(7)));
  }
}
