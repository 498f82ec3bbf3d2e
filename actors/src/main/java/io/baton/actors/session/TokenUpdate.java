package io.baton.actors.session;

import io.baton.actors.CborSerializable;
import java.util.List;

/**
 * Durable tokens of a session from {@code fromIndex} on, with the session's status after them.
 * Sent to each subscribed follower after each persisted chunk and returned by GetTokens and
 * Subscribe, so a follower only ever sees tokens that are already in the journal.
 */
public record TokenUpdate(String sessionId, int fromIndex, List<Integer> tokens, SessionStatus status, String finishReason)
    implements CborSerializable {

  public TokenUpdate {
    tokens = List.copyOf(tokens);
  }

  /** The session's durable tokens from {@code fromIndex} (clamped), with its status. */
  static TokenUpdate of(SessionState s, int fromIndex) {
    int from = Math.max(0, Math.min(fromIndex, s.tokenCount()));
    return new TokenUpdate(s.sessionId(), from, s.tokensFrom(from), s.status(),
        s.status().isTerminal() ? s.terminalReason() : null);
  }

  /** The index one past the last token this update carries. */
  public int nextIndex() {
    return fromIndex + tokens.size();
  }
}
