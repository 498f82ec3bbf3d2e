package io.baton.chaos.report;

import java.time.Instant;
import java.util.Objects;

/**
 * One placement of a session on a GPU. {@code firstTokenAt} is null when the attempt died before
 * its first durable token, {@code endedAt} when it was still running at the end of the run, and
 * {@code failure} when it did not fail (it completed, or is still running).
 *
 * @param method how the attempt started: FRESH, KV_RESTORE or RECOMPUTE (ResumeMethod's names)
 */
public record AttemptRecord(int number, String workerId, String method, Instant placedAt,
    Instant firstTokenAt, Instant endedAt, String failure) {
  public AttemptRecord {
    Objects.requireNonNull(workerId, "workerId");
    Objects.requireNonNull(placedAt, "placedAt");
    method = method == null ? "" : method;
  }
}
