package io.baton.actors.batch;

import static io.baton.actors.Rejection.Reason.CONFLICT;
import static io.baton.actors.Rejection.Reason.ILLEGAL_STATE;
import static io.baton.actors.Rejection.Reason.INVALID_ARGUMENT;

import io.baton.actors.Rejection;
import io.baton.actors.batch.BatchCommand.Create;
import io.baton.actors.batch.BatchCommand.ReportRequests;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The batch's rules as pure checks, kept apart from the actor so each reads as one rule. Each
 * returns the rejection for a command that breaks a rule, or empty when it may proceed. The limits
 * are OpenAI's, so they are constants rather than settings.
 */
final class BatchRules {
  static final Set<String> ENDPOINTS = Set.of("/v1/chat/completions", "/v1/completions");
  static final Map<String, Duration> COMPLETION_WINDOWS = Map.of("24h", Duration.ofHours(24));
  static final int MAX_METADATA_PAIRS = 16;
  static final int MAX_METADATA_KEY = 64;
  static final int MAX_METADATA_VALUE = 512;
  static final int MAX_REQUESTS = 50_000;

  private BatchRules() {}

  static Optional<Rejection> create(Create c) {
    if (blank(c.inputFileId())) {
      return reject(INVALID_ARGUMENT, "input_file_id is required");
    }
    // Set.of and Map.of throw on a null lookup, hence the explicit null checks.
    if (c.endpoint() == null || !ENDPOINTS.contains(c.endpoint())) {
      return reject(INVALID_ARGUMENT, "endpoint must be one of " + new TreeSet<>(ENDPOINTS) + ", was " + c.endpoint());
    }
    if (c.completionWindow() == null || !COMPLETION_WINDOWS.containsKey(c.completionWindow())) {
      return reject(INVALID_ARGUMENT, "completion_window must be one of " + COMPLETION_WINDOWS.keySet() + ", was "
          + c.completionWindow());
    }
    if (c.metadata().size() > MAX_METADATA_PAIRS) {
      return reject(INVALID_ARGUMENT, "metadata holds at most " + MAX_METADATA_PAIRS + " pairs, got "
          + c.metadata().size());
    }
    for (Map.Entry<String, String> pair : c.metadata().entrySet()) {
      if (pair.getKey().length() > MAX_METADATA_KEY || pair.getValue().length() > MAX_METADATA_VALUE) {
        return reject(INVALID_ARGUMENT, "metadata keys are at most " + MAX_METADATA_KEY + " characters and values "
            + MAX_METADATA_VALUE + "; key " + pair.getKey() + " is too long or has too long a value");
      }
    }
    return Optional.empty();
  }

  /** Whether a repeated Create asks for exactly the batch that exists, so it can be acknowledged. */
  static boolean sameCreation(BatchState s, Create c) {
    return s.inputFileId().equals(c.inputFileId()) && s.endpoint().equals(c.endpoint())
        && s.completionWindow().equals(c.completionWindow()) && s.metadata().equals(c.metadata())
        && s.tenant().equals(c.tenant());
  }

  static Optional<Rejection> validated(int totalRequests) {
    if (totalRequests < 1 || totalRequests > MAX_REQUESTS) {
      return reject(INVALID_ARGUMENT, "a batch holds 1 to " + MAX_REQUESTS + " requests, not " + totalRequests);
    }
    return Optional.empty();
  }

  /** A failure must say why: the errors are all a client learns about it. */
  static Optional<Rejection> fail(List<LineError> errors) {
    return errors.isEmpty() ? reject(INVALID_ARGUMENT, "a failure needs at least one error") : Optional.empty();
  }

  static Optional<Rejection> finalizing(BatchState s) {
    RequestCounts n = s.requestCounts();
    if (!n.allFinished()) {
      return reject(ILLEGAL_STATE, (n.total() - n.finished()) + " of " + n.total() + " requests are unfinished");
    }
    return Optional.empty();
  }

  /** No finished request may be left without a file to hold its result. */
  static Optional<Rejection> outputs(BatchState s, String outputFileId, String errorFileId) {
    RequestCounts n = s.requestCounts();
    if (n.completed() > 0 && blank(outputFileId)) {
      return reject(INVALID_ARGUMENT, n.completed() + " requests succeeded: output_file_id is required");
    }
    if (n.failed() > 0 && blank(errorFileId)) {
      return reject(INVALID_ARGUMENT, n.failed() + " requests failed: error_file_id is required");
    }
    return Optional.empty();
  }

  static Optional<Rejection> expire(BatchState s, Instant now) {
    if (now.isBefore(s.expiresAt())) {
      return reject(ILLEGAL_STATE, "the batch does not expire before " + s.expiresAt());
    }
    return Optional.empty();
  }

  /** What a report means: rejected, already counted (a resent report), or lines to persist. */
  sealed interface ReportPlan {}

  record Reject(Rejection rejection) implements ReportPlan {}

  record AlreadyCounted() implements ReportPlan {}

  /** The lines not counted before, ascending and without duplicates. */
  record Persist(List<Integer> succeeded, List<Integer> failed) implements ReportPlan {}

  static ReportPlan report(BatchState s, ReportRequests c) {
    TreeSet<Integer> ok = new TreeSet<>(c.succeeded());
    TreeSet<Integer> bad = new TreeSet<>(c.failed());
    if (ok.isEmpty() && bad.isEmpty()) {
      return new Reject(Rejection.of(INVALID_ARGUMENT, "a report needs at least one line"));
    }
    int total = s.requestCounts().total();
    if (outOfRange(ok, total) || outOfRange(bad, total)) {
      return new Reject(Rejection.of(INVALID_ARGUMENT, "line indexes run from 0 to " + (total - 1)));
    }
    Set<Integer> both = new TreeSet<>(ok);
    both.retainAll(bad);
    if (!both.isEmpty()) {
      return new Reject(Rejection.of(INVALID_ARGUMENT, "lines " + both + " are reported as succeeded and failed"));
    }
    // Decoded once: the sets are checked line by line.
    BitSet finished = s.finishedLines().toBitSet();
    BitSet failed = s.failedLines().toBitSet();
    List<Integer> freshOk = new ArrayList<>();
    for (int line : ok) {
      if (!finished.get(line)) {
        freshOk.add(line);
      } else if (failed.get(line)) {
        return new Reject(Rejection.of(CONFLICT, "line " + line + " was counted as failed"));
      }
    }
    List<Integer> freshBad = new ArrayList<>();
    for (int line : bad) {
      if (!finished.get(line)) {
        freshBad.add(line);
      } else if (!failed.get(line)) {
        return new Reject(Rejection.of(CONFLICT, "line " + line + " was counted as succeeded"));
      }
    }
    if (freshOk.isEmpty() && freshBad.isEmpty()) {
      return new AlreadyCounted();
    }
    return new Persist(freshOk, freshBad);
  }

  private static boolean outOfRange(TreeSet<Integer> lines, int total) {
    return !lines.isEmpty() && (lines.first() < 0 || lines.last() >= total);
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }

  private static Optional<Rejection> reject(Rejection.Reason reason, String detail) {
    return Optional.of(Rejection.of(reason, detail));
  }
}
