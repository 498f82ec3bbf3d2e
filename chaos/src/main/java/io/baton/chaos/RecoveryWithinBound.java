package io.baton.chaos;

import io.baton.chaos.report.InvariantResult;
import io.baton.chaos.report.RecoverySample;
import java.util.ArrayList;
import java.util.List;

/**
 * Invariant 5: recovery per fault stays within its bound (see {@link Bounds}). A planned fault that
 * found no target was not tested, and an XID whose sessions kept generating on the faulted GPU was
 * never recovered from; both fail the invariant too: a quiet run must not read as a pass. For the
 * same reason a scenario whose workload exists to make the queue preempt fails when nothing was
 * preempted. Preemptions themselves are no fault: they are counted, never timed (a preempted batch
 * line waits for the interactive work it gave way to, by design), and an attempt a fault hit but the
 * queue had preempted first is shown apart from the samples; every other hit keeps its bound.
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
    List<RecoverySample> samples = measured.stream().filter(m -> !m.preempted()).map(Recoveries.Measured::sample)
        .toList();
    List<String> problems = new ArrayList<>();
    List<String> preemptedFirst = new ArrayList<>();
    for (Recoveries.Measured m : measured) {
      if (m.preempted()) {
        preemptedFirst.add(m.sample().sessionId() + " " + m.sample().millis() + " ms");
      } else if (!m.sample().withinBound()) {
        problems.add(m.explain());
      }
    }
    Preemptions preemptions = Preemptions.of(o.sessions());
    if (o.scenario().shape().map(Workload.Shape::preempts).orElse(false) && preemptions.attempts() == 0) {
      problems.add("no attempt was preempted: the bursts found room, so this run showed no preemption");
    }
    if (preemptions.ofStreams() > 0) {
      problems.add(preemptions.ofStreams() + " attempts of interactive streams were preempted: the queue preempts"
          + " only lower classes");
    }
    // Never moved means never recovered: the XID's handling did not reach the session at all.
    for (Recoveries.Unmoved u : Recoveries.unmoved(o)) {
      problems.add(u.faultKind() + " on " + u.gpu() + ": " + u.sessionId() + " kept generating there (attempt "
          + u.attempt() + " appended tokens more than 1 s after the XID); it was never moved");
    }
    o.notInjected().forEach(n -> problems.add("not injected: " + n));
    long max = samples.stream().mapToLong(RecoverySample::millis).max().orElse(0);
    String counted = samples.size() + " recoveries measured after " + o.injections().size()
        + " faults, max " + max + " ms"
        + (preemptions.attempts() > 0 || !preemptedFirst.isEmpty() ? "; preemptions (not faults, not timed): "
        + preemptions.describe(o.startedAt()) : "")
        + (preemptedFirst.isEmpty() ? "" : "; hit by a fault but preempted first, so queued rather than recovering: "
        + Invariant.some(preemptedFirst));
    return new InvariantResult(5, "recovery within bound", problems.isEmpty(),
        problems.isEmpty() ? counted : counted + ". " + problems.size() + " problems: " + Invariant.some(problems));
  }
}
