package io.baton.chaos.report;

import java.time.Instant;
import java.util.Objects;

/** One entry of a GPU's history: the new status, who set it (fleet controller, admin, ...) and why. */
public record GpuChange(Instant at, String status, String by, String reason) {
  public GpuChange {
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(status, "status");
    by = by == null ? "" : by;
    reason = reason == null ? "" : reason;
  }
}
