package io.baton.chaos;

import io.baton.chaos.report.InvariantResult;
import java.util.List;

/** One of the six invariants, checked against a scenario's {@link Observations}. */
interface Invariant {
  InvariantResult check(Observations o);

  /** The six, in the order. */
  static List<Invariant> all() {
    return List.of(new TerminalOnce(), new MatchesReference(), new StreamContinuity(), new NoStashDrop(),
        new RecoveryWithinBound(), new FleetRotation());
  }

  /** At most this many offenders are listed in a detail; the count is always given. */
  int LIST_LIMIT = 8;

  static String some(List<String> problems) {
    return String.join("; ", problems.subList(0, Math.min(LIST_LIMIT, problems.size())))
        + (problems.size() > LIST_LIMIT ? "; ... " + (problems.size() - LIST_LIMIT) + " more" : "");
  }
}
