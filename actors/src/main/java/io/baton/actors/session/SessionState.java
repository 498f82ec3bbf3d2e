package io.baton.actors.session;

import io.baton.actors.CborSerializable;
import io.baton.actors.session.SessionEvent.AttemptFailed;
import io.baton.actors.session.SessionEvent.Cancelled;
import io.baton.actors.session.SessionEvent.Completed;
import io.baton.actors.session.SessionEvent.Erased;
import io.baton.actors.session.SessionEvent.Failed;
import io.baton.actors.session.SessionEvent.KvCheckpointed;
import io.baton.actors.session.SessionEvent.Placed;
import io.baton.actors.session.SessionEvent.Queued;
import io.baton.actors.session.SessionEvent.Submitted;
import io.baton.actors.session.SessionEvent.TokensAppended;
import io.baton.actors.session.SessionEvent.Usage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A session as its events made it. Immutable: {@link #apply} returns a new state. It is also the
 * snapshot format, so its fields are a stored schema like the events.
 *
 * @param tokens every generated token that is durable, in order
 * @param checkpointUpto prompt plus generated tokens covered by checkpointed KV blocks
 * @param terminalReason finish reason, error or cancel reason once the session has ended
 * @param reusedPromptTokens prompt tokens the prefill of the first token reused (KV restored or
 *     cached) instead of computing: OpenAI's {@code cached_tokens}
 * @param erased the client deleted the session: it answers as if it never existed
 * @param queuedAt when the pending session first waited in its model's admission queue since its
 *     last placement (its place in line, kept across restarts); null when it is not waiting
 */
public record SessionState(
    String sessionId,
    SessionStatus status,
    SessionSpec spec,
    List<Attempt> attempts,
    List<Integer> tokens,
    int checkpointUpto,
    List<String> checkpointBlocks,
    Instant submittedAt,
    Instant firstTokenAt,
    Instant endedAt,
    String terminalReason,
    Usage usage,
    int reusedPromptTokens,
    boolean erased,
    Instant queuedAt)
    implements CborSerializable {

  public SessionState {
    // A snapshot deserializes tokens as a plain list; the log keeps appends cheap from there on.
    tokens = TokenLog.of(tokens);
  }

  public static SessionState empty(String sessionId) {
    return new SessionState(
        sessionId, SessionStatus.NEW, null, List.of(), TokenLog.empty(), 0, List.of(), null, null, null, null,
        null, 0, false, null);
  }

  /** The current attempt number, 0 before the first placement. */
  public int attempt() {
    return attempts.size();
  }

  public int tokenCount() {
    return tokens.size();
  }

  public Attempt currentAttempt() {
    return attempts.isEmpty() ? null : attempts.get(attempts.size() - 1);
  }

  /**
   * Whether an attempt of this session ran and lost its GPU (a fault or a preemption; a refused
   * grant ran nothing): it resumes work in flight, and goes first within its class in the queue.
   */
  public boolean resuming() {
    return attempts.stream().anyMatch(a -> a.failure() != null
        && a.failure().kind() != FailureCause.Kind.GRANT_REFUSED);
  }

  public List<Integer> tokensFrom(int fromIndex) {
    int from = Math.max(0, Math.min(fromIndex, tokens.size()));
    return tokens.subList(from, tokens.size());
  }

  public SessionState apply(SessionEvent event) {
    // Java 17 has no pattern switch; the sealed interface keeps this chain complete by review.
    if (event instanceof Submitted e) {
      return new SessionState(
          e.sessionId(), SessionStatus.PENDING, upcast(e.spec(), e.sessionId()), attempts, tokens, checkpointUpto, checkpointBlocks,
          e.at(), firstTokenAt, endedAt, terminalReason, usage, reusedPromptTokens, erased, queuedAt);
    } else if (event instanceof Placed e) {
      return with(SessionStatus.PLACED, append(attempts,
          new Attempt(e.attempt(), e.workerId(), e.method(), e.resumeFrom(), e.at(), null))).unqueued();
    } else if (event instanceof TokensAppended e) {
      return new SessionState(
          sessionId, SessionStatus.GENERATING, spec, attempts, ((TokenLog) tokens).append(e.tokens()), checkpointUpto,
          checkpointBlocks, submittedAt, firstTokenAt == null ? e.at() : firstTokenAt, endedAt, terminalReason,
          usage, e.fromIndex() == 0 ? Math.min(e.reusedTokens(), spec.promptTokens().size()) : reusedPromptTokens,
          erased, queuedAt);
    } else if (event instanceof KvCheckpointed e) {
      return new SessionState(
          sessionId, status, spec, attempts, tokens, e.uptoToken(), append(checkpointBlocks, e.blockHashes()),
          submittedAt, firstTokenAt, endedAt, terminalReason, usage, reusedPromptTokens, erased, queuedAt);
    } else if (event instanceof AttemptFailed e) {
      return with(SessionStatus.PENDING, replaceLast(attempts, currentAttempt().failed(e.cause())));
    } else if (event instanceof Completed e) {
      return ended(SessionStatus.COMPLETED, e.at(), e.finishReason(), e.usage());
    } else if (event instanceof Failed e) {
      return ended(SessionStatus.FAILED, e.at(), e.error(), usage);
    } else if (event instanceof Cancelled e) {
      return ended(SessionStatus.CANCELLED, e.at(), e.reason(), usage);
    } else if (event instanceof Erased) {
      return new SessionState(
          sessionId, status, spec, attempts, tokens, checkpointUpto, checkpointBlocks, submittedAt, firstTokenAt,
          endedAt, terminalReason, usage, reusedPromptTokens, true, queuedAt);
    } else if (event instanceof Queued e) {
      return new SessionState(
          sessionId, status, spec, attempts, tokens, checkpointUpto, checkpointBlocks, submittedAt, firstTokenAt,
          endedAt, terminalReason, usage, reusedPromptTokens, erased, queuedAt == null ? e.at() : queuedAt);
    }
    throw new IllegalArgumentException("unknown session event " + event.getClass().getName());
  }

  /** A spec stored before it named its API: a chat's id said so; anything else was a completion. */
  private static SessionSpec upcast(SessionSpec spec, String sessionId) {
    if (spec.api() != null) {
      return spec;
    }
    return spec.withApi(sessionId.startsWith("chatcmpl-") ? SessionSpec.Api.CHAT : SessionSpec.Api.COMPLETION);
  }

  private SessionState with(SessionStatus newStatus, List<Attempt> newAttempts) {
    return new SessionState(
        sessionId, newStatus, spec, newAttempts, tokens, checkpointUpto, checkpointBlocks, submittedAt,
        firstTokenAt, endedAt, terminalReason, usage, reusedPromptTokens, erased, queuedAt);
  }

  private SessionState unqueued() {
    return new SessionState(
        sessionId, status, spec, attempts, tokens, checkpointUpto, checkpointBlocks, submittedAt, firstTokenAt,
        endedAt, terminalReason, usage, reusedPromptTokens, erased, null);
  }

  private SessionState ended(SessionStatus newStatus, Instant at, String reason, Usage newUsage) {
    return new SessionState(
        sessionId, newStatus, spec, attempts, tokens, checkpointUpto, checkpointBlocks, submittedAt, firstTokenAt,
        at, reason, newUsage, reusedPromptTokens, erased, null);
  }

  private static <T> List<T> append(List<T> list, T item) {
    return append(list, List.of(item));
  }

  private static <T> List<T> append(List<T> list, List<T> more) {
    List<T> copy = new ArrayList<>(list.size() + more.size());
    copy.addAll(list);
    copy.addAll(more);
    return List.copyOf(copy);
  }

  private static <T> List<T> replaceLast(List<T> list, T item) {
    List<T> copy = new ArrayList<>(list);
    copy.set(copy.size() - 1, item);
    return List.copyOf(copy);
  }
}
