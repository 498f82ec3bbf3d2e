package io.baton.chaos;

import io.baton.chaos.report.InvariantResult;
import io.baton.chaos.report.RecoverySample;
import java.util.ArrayList;
import java.util.List;

/**
 * Invariant 5: recovery per fault stays within its bound (see {@link Bounds}). A planned fault that
 * found no target was not tested, and an XID whose sessions kept generating on the faulted GPU was
 * never recovered from; both fail the invariant too: a quiet run must not read as a pass.
 */
final class RecoveryWithinBound implements Invariant {
  private final int numberOfShards;

  RecoveryWithinBound() {
    this(ScenarioRunner.NUMBER_OF_SHARDS);
  }

  RecoveryWithinBound(int numberOfShards) {
    this.numberOfShards = numberOfShards;
  }

  @Override
  public InvariantResult check(Observations o) {
    List<Recoveries.Measured> measured = Recoveries.measure(o, numberOfShards);
    List<RecoverySample> samples = measured.stream().map(Recoveries.Measured::sample).toList();
    List<String> problems = new ArrayList<>();
    for (Recoveries.Measured m : measured) {
      if (!m.sample().withinBound()) {
        problems.add(m.explain());
      }
    }
    // Never moved means never recovered: the XID's handling did not reach the session at all.
    for (Recoveries.Unmoved u : Recoveries.unmoved(o)) {
      problems.add(u.faultKind() + " on " + u.gpu() + ": " + u.sessionId() + " kept generating there (attempt "
          + u.attempt() + " appended tokens more than 1 s after the XID); it was never moved");
    }
    o.notInjected().forEach(n -> problems.add("not injected: " + n));
    long max = samples.stream().mapToLong(RecoverySample::millis).max().orElse(0);
    String counted = samples.size() + " recoveries measured after " + o.injections().size() + " faults, max "
        + max + " ms";
    return new InvariantResult(5, "recovery within bound", problems.isEmpty(),
        problems.isEmpty() ? counted : counted + ". " + problems.size() + " problems: " + Invariant.some(problems));
  }
}
