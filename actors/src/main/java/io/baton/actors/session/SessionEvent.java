package io.baton.actors.session;

import io.baton.actors.CborSerializable;
import java.time.Instant;
import java.util.List;

/**
 * Everything that happened to a session. These records are a stored schema: renaming one, or a
 * field of one, breaks replay of existing journals. Every one is round-tripped in a test.
 */
public sealed interface SessionEvent extends CborSerializable {

  record Submitted(String sessionId, SessionSpec spec, Instant at) implements SessionEvent {}

  /** @param resumeFrom generated tokens already durable, which the new GPU continues after */
  record Placed(int attempt, String workerId, int resumeFrom, ResumeMethod method, Instant at)
      implements SessionEvent {}

  /**
   * @param reusedTokens on an attempt's first chunk, the prompt tokens its prefill did not compute
   *     (KV restored from the store or already in the GPU's memory); 0 otherwise, and in events
   *     stored before it existed
   */
  record TokensAppended(int attempt, int fromIndex, List<Integer> tokens, Instant at, int reusedTokens)
      implements SessionEvent {
    public TokensAppended {
      tokens = List.copyOf(tokens);
    }

    public TokensAppended(int attempt, int fromIndex, List<Integer> tokens, Instant at) {
      this(attempt, fromIndex, tokens, at, 0);
    }
  }

  /**
   * KV blocks newly stored for this session. The blobs are in the KV block store before this event
   * is persisted, so an event never points at a missing blob.
   *
   * @param uptoToken prompt plus generated tokens covered by all checkpointed blocks after this one
   * @param blockHashes the content hashes of the new blocks only, in sequence order
   */
  record KvCheckpointed(int attempt, int uptoToken, List<String> blockHashes, Instant at) implements SessionEvent {
    public KvCheckpointed {
      blockHashes = List.copyOf(blockHashes);
    }
  }

  /**
   * No GPU had room for the next attempt (or the last one was preempted): the session waits in its
   * model's admission queue. Written once per wait; its time is the session's place in line.
   */
  record Queued(int attempt, Instant at) implements SessionEvent {}

  record AttemptFailed(int attempt, FailureCause cause, Instant at) implements SessionEvent {}

  record Completed(String finishReason, Usage usage, Instant at) implements SessionEvent {}

  record Failed(String error, Instant at) implements SessionEvent {}

  record Cancelled(String reason, Instant at) implements SessionEvent {}

  /**
   * The client deleted the session (a response's DELETE): from now on it answers as if it never
   * existed. Follows the terminal event; a live session is cancelled in the same write.
   */
  record Erased(String reason, Instant at) implements SessionEvent {}

  /** Token counts in OpenAI's usage shape. */
  record Usage(int promptTokens, int completionTokens) implements CborSerializable {
    static Usage of(SessionState s) {
      return new Usage(s.spec().promptTokens().size(), s.tokenCount());
    }

    public int totalTokens() {
      return promptTokens + completionTokens;
    }
  }
}
