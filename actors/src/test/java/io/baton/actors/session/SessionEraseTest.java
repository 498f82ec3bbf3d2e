package io.baton.actors.session;

import static io.baton.actors.Rejection.Reason.INVALID_ARGUMENT;
import static io.baton.actors.Rejection.Reason.NOT_FOUND;
import static io.baton.actors.session.SessionStatus.CANCELLED;
import static io.baton.actors.session.SessionStatus.COMPLETED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.actors.Rejection;
import io.baton.actors.session.SessionCommand.*;
import io.baton.actors.session.SessionEvent.*;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Erase (a response's DELETE), and the prompt tokens an attempt's first chunk reports reused. */
class SessionEraseTest extends SessionTestBase {

  @Test
  void erasingARunningSessionCancelsItInTheSameWrite() {
    generating(3);
    var result = run(erase("deleted by the client"));
    assertEquals(new Accepted(CANCELLED, 1, 3), result.reply());
    assertEquals(2, result.events().size(), () -> "events: " + result.events());
    assertEquals("deleted by the client", assertInstanceOf(Cancelled.class, result.events().get(0)).reason());
    assertInstanceOf(Erased.class, result.events().get(1));
    assertTrue(kit.getState().erased());
    assertEquals(CANCELLED, kit.getState().status());
    // Ended: a late chunk of the old attempt is fenced like after any cancel.
    rejects(Rejection.Reason.ALREADY_TERMINAL, append(1, 3, tokens(3, 1)));
  }

  @Test
  void erasingAnEndedSessionKeepsItsEndAndIsIdempotent() {
    generating(2);
    persists(Completed.class, new Accepted(COMPLETED, 1, 2), complete(1, "stop"));
    persists(Erased.class, new Accepted(COMPLETED, 1, 2), erase("deleted by the client"));
    assertEquals(COMPLETED, kit.getState().status());
    assertTrue(kit.getState().erased());
    acknowledgesWithoutEvent(new Accepted(COMPLETED, 1, 2), erase("deleted again"));
  }

  @Test
  void anUnknownSessionCannotBeErased() {
    rejects(NOT_FOUND, erase("deleted by the client"));
  }

  @Test
  void anEraseNeedsAReason() {
    generating(1);
    rejects(INVALID_ARGUMENT, erase(" "));
    assertFalse(kit.getState().erased());
  }

  @Test
  void theFirstTokensChunkRecordsThePromptTokensItsPrefillReused() {
    placed();
    persists(TokensAppended.class, new Accepted(SessionStatus.GENERATING, 1, 2),
        r -> new AppendTokens(1, 0, tokens(0, 2), 16, r));
    assertEquals(16, kit.getState().reusedPromptTokens());
    // A later chunk, and a resumed attempt's first one, leave the first token's reuse as it was.
    persists(TokensAppended.class, new Accepted(SessionStatus.GENERATING, 1, 3),
        r -> new AppendTokens(1, 2, tokens(2, 1), 4, r));
    assertEquals(16, kit.getState().reusedPromptTokens());
  }

  @Test
  void reuseIsCappedAtThePrompt() {
    placed();
    persists(TokensAppended.class, new Accepted(SessionStatus.GENERATING, 1, 1),
        r -> new AppendTokens(1, 0, List.of(7), 10_000, r));
    assertEquals(PROMPT.size(), kit.getState().reusedPromptTokens());
  }
}
