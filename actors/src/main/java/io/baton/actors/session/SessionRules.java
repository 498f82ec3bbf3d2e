package io.baton.actors.session;

import static io.baton.actors.Rejection.Reason.CONFLICT;
import static io.baton.actors.Rejection.Reason.GAP;
import static io.baton.actors.Rejection.Reason.ILLEGAL_STATE;
import static io.baton.actors.Rejection.Reason.INVALID_ARGUMENT;
import static io.baton.actors.Rejection.Reason.LIMIT_EXCEEDED;
import static io.baton.actors.Rejection.Reason.STALE_ATTEMPT;

import io.baton.actors.Rejection;
import io.baton.actors.session.SessionCommand.AppendTokens;
import io.baton.actors.session.SessionCommand.CheckpointKv;
import io.baton.actors.session.SessionCommand.Place;
import io.baton.actors.worker.XidClass;
import java.util.List;
import java.util.Optional;

/**
 * The session's invariants as pure checks, kept apart from the actor so each reads as one rule.
 * Each returns the rejection for a command that breaks an invariant, or empty when it may proceed.
 */
final class SessionRules {
  /** Tokens per KV block, as in vLLM's paged attention; block hashes cover whole blocks only. */
  static final int KV_BLOCK_TOKENS = 16;

  private SessionRules() {}

  static Optional<Rejection> place(SessionState s, Place c) {
    return place(s, c.attempt(), c.workerId(), c.method());
  }

  static Optional<Rejection> place(SessionState s, int attempt, String workerId, ResumeMethod method) {
    if (s.status().isRunning()) {
      return reject(ILLEGAL_STATE, "attempt " + s.attempt() + " is running on " + s.currentAttempt().workerId());
    }
    if (attempt != s.attempt() + 1) {
      return reject(STALE_ATTEMPT, "next attempt is " + (s.attempt() + 1) + ", not " + attempt);
    }
    if (workerId == null || workerId.isBlank() || method == null) {
      return reject(INVALID_ARGUMENT, "workerId and method are required");
    }
    if (method == ResumeMethod.FRESH && s.tokenCount() > 0) {
      return reject(INVALID_ARGUMENT, s.tokenCount() + " tokens are durable: resume with KV_RESTORE or RECOMPUTE");
    }
    if (method == ResumeMethod.KV_RESTORE && s.checkpointUpto() == 0) {
      return reject(INVALID_ARGUMENT, "no KV checkpoint to restore: use RECOMPUTE");
    }
    return Optional.empty();
  }

  /** Fencing: only the current, running attempt may write. */
  static Optional<Rejection> fence(SessionState s, int attempt) {
    if (attempt < s.attempt() || (attempt == s.attempt() && !s.status().isRunning())) {
      return reject(STALE_ATTEMPT, "attempt " + attempt + " is over; the session is on attempt " + s.attempt()
          + " (" + s.status() + ")");
    }
    if (attempt > s.attempt()) {
      return reject(ILLEGAL_STATE, "attempt " + attempt + " was never placed; the session is on attempt " + s.attempt());
    }
    return Optional.empty();
  }

  /** What an append means after fencing: rejected, an already-durable retry, or new tokens. */
  sealed interface AppendPlan {}

  record Reject(Rejection rejection) implements AppendPlan {}

  record AlreadyDurable() implements AppendPlan {}

  /** Persist {@code tokens} at {@code fromIndex} (the overlap of a partial retry dropped). */
  record Persist(int fromIndex, List<Integer> tokens) implements AppendPlan {}

  static AppendPlan append(SessionState s, AppendTokens c) {
    Optional<Rejection> fenced = fence(s, c.attempt());
    if (fenced.isPresent()) {
      return new Reject(fenced.get());
    }
    int durable = s.tokenCount();
    if (c.tokens().isEmpty() || c.fromIndex() < 0) {
      return new Reject(Rejection.of(INVALID_ARGUMENT, "a chunk needs a fromIndex >= 0 and at least one token"));
    }
    if (c.fromIndex() > durable) {
      return new Reject(Rejection.of(GAP, "chunk starts at " + c.fromIndex() + " but " + durable + " tokens are durable"));
    }
    int overlap = Math.min(durable - c.fromIndex(), c.tokens().size());
    if (!s.tokens().subList(c.fromIndex(), c.fromIndex() + overlap).equals(c.tokens().subList(0, overlap))) {
      return new Reject(Rejection.of(CONFLICT, "chunk at " + c.fromIndex() + " differs from durable tokens"));
    }
    if (overlap == c.tokens().size()) {
      return new AlreadyDurable();
    }
    List<Integer> fresh = c.tokens().subList(overlap, c.tokens().size());
    if (durable + fresh.size() > s.spec().maxTokens()) {
      return new Reject(Rejection.of(LIMIT_EXCEEDED, "max_tokens is " + s.spec().maxTokens() + "; chunk would reach "
          + (durable + fresh.size())));
    }
    return new Persist(durable, fresh);
  }

  /** Empty when the checkpoint is new and well-formed; an already-covered range is a retry. */
  static Optional<Rejection> checkpoint(SessionState s, CheckpointKv c) {
    Optional<Rejection> fenced = fence(s, c.attempt());
    if (fenced.isPresent()) {
      return fenced;
    }
    int sequence = s.spec().promptTokens().size() + s.tokenCount();
    if (c.blockHashes().stream().anyMatch(h -> h == null || h.isBlank())) {
      return reject(INVALID_ARGUMENT, "block hashes must not be blank");
    }
    if (c.uptoToken() <= 0 || c.uptoToken() % KV_BLOCK_TOKENS != 0 || c.uptoToken() > sequence) {
      return reject(INVALID_ARGUMENT, "uptoToken " + c.uptoToken() + " must be a multiple of " + KV_BLOCK_TOKENS
          + " and at most the " + sequence + " tokens of the sequence");
    }
    int newBlocks = (c.uptoToken() - s.checkpointUpto()) / KV_BLOCK_TOKENS;
    if (newBlocks > 0 && c.blockHashes().size() != newBlocks) {
      return reject(INVALID_ARGUMENT, "expected " + newBlocks + " new block hashes, got " + c.blockHashes().size());
    }
    return Optional.empty();
  }

  /**
   * Why the session is a poison request, if it is: this attempt failed with an application-class
   * XID and an earlier attempt did too, on another GPU; or two engines on two GPUs answered it with
   * an error (an engine that refuses a context it cannot hold refuses it everywhere). The request,
   * not the hardware, is at fault, so the session fails and neither GPU is blamed (DESIGN.md, "XID
   * classes"). Without this a request every engine refuses would be placed again forever.
   */
  static Optional<String> poison(SessionState s, FailureCause cause) {
    if (!isRequestFault(cause)) {
      return Optional.empty();
    }
    String here = s.currentAttempt().workerId();
    for (Attempt earlier : s.attempts()) {
      FailureCause before = earlier.failure();
      if (before != null && before.kind() == cause.kind() && isRequestFault(before) && !earlier.workerId().equals(here)) {
        return Optional.of(cause.kind() == FailureCause.Kind.XID
            ? "poison request: it faulted two GPUs with application-class XIDs (XID " + before.xidCode() + " on "
                + earlier.workerId() + ", XID " + cause.xidCode() + " on " + here
                + "). Both GPUs stay in service. Check the prompt and sampling parameters before retrying it."
            : "poison request: the engines of two GPUs answered it with an error (" + earlier.workerId() + ": "
                + before.detail() + "; " + here + ": " + cause.detail()
                + "). Both GPUs stay in service. Check the request against what the model and engine accept.");
      }
    }
    return Optional.empty();
  }

  private static boolean isRequestFault(FailureCause cause) {
    return cause.kind() == FailureCause.Kind.ENGINE_ERROR
        || (cause.kind() == FailureCause.Kind.XID && XidClass.APP_FAULT.id().equals(cause.xidClass()));
  }

  private static Optional<Rejection> reject(Rejection.Reason reason, String detail) {
    return Optional.of(Rejection.of(reason, detail));
  }
}
