package io.baton.chaos.report;

import java.util.Objects;

/** The outcome of one of the six invariants; {@code detail} says what was counted or what broke. */
public record InvariantResult(int number, String name, boolean passed, String detail) {
  public InvariantResult {
    Objects.requireNonNull(name, "name");
    detail = detail == null ? "" : detail;
  }
}
