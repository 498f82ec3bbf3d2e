package io.baton.chaos.report;

import java.time.Instant;
import java.util.Objects;

/**
 * One injected fault. {@code healedAt} is null for faults that are never undone (kill -9, an XID):
 * the report shows "—" rather than inventing an end.
 */
public record FaultRecord(String kind, String target, Instant at, Instant healedAt, String detail) {
  public FaultRecord {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(at, "at");
    target = target == null ? "" : target;
    detail = detail == null ? "" : detail;
  }
}
