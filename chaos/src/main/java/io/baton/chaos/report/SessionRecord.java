package io.baton.chaos.report;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What the suite saw of one session. {@code endedAt} is null when it never reached a terminal
 * state (which invariant 1 reports); {@code note} is free text, e.g. why it does not match.
 */
public record SessionRecord(String sessionId, String status, Instant submittedAt, Instant endedAt,
    List<AttemptRecord> attempts, int tokens, boolean matchesReference, String note) {
  public SessionRecord {
    Objects.requireNonNull(sessionId, "sessionId");
    Objects.requireNonNull(submittedAt, "submittedAt");
    status = status == null ? "" : status;
    // Tolerate a missing list: a report written with a gap beats losing a whole run to an NPE.
    attempts = attempts == null ? List.of() : List.copyOf(attempts);
    note = note == null ? "" : note;
  }

  /** More than one attempt: the session moved at least once. */
  public boolean migrated() {
    return attempts.size() > 1;
  }
}
