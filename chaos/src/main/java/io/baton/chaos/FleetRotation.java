package io.baton.chaos;

import io.baton.chaos.report.InvariantResult;
import java.util.ArrayList;
import java.util.List;

/**
 * Invariant 6: no GPU is out of rotation without a recorded reason, and the active pool is full
 * again after healing: as many active GPUs as at the start, unless no spare was left to promote.
 * GPUs of a node that is still down are not reported by any agent and are listed as such; one of
 * them still listed active is a problem (nothing serves it, and no spare replaced it).
 */
final class FleetRotation implements Invariant {
  @Override
  public InvariantResult check(Observations o) {
    Observations.Rotation r = o.rotation();
    List<String> problems = new ArrayList<>();
    int out = 0;
    for (Fleet.Gpu g : r.finalGpus()) {
      if (g.state().equals("active") && r.downNodes().contains(g.node())) {
        problems.add(g.id() + " is listed active although its node " + g.node() + " is down");
      }
      if (!g.inRotation()) {
        out++;
        if (g.reason() == null || g.reason().isBlank()) {
          problems.add(g.id() + " is " + g.state() + " with no recorded reason");
        }
      }
    }
    long active = r.finalGpus().stream()
        .filter(g -> g.state().equals("active") && !r.downNodes().contains(g.node())).count();
    long spare = r.finalGpus().stream().filter(g -> g.state().equals("spare")).count();
    if (!r.refilled()) {
      problems.add("active pool not refilled within " + r.waitedMillis() + " ms: " + active + " active (was "
          + r.initialActive() + "), " + spare + " spare");
    }
    String counted = active + " active (was " + r.initialActive() + "), " + spare + " spare (was " + r.initialSpare()
        + "), " + out + " out of rotation with reasons" + (r.downNodes().isEmpty() ? ""
        : "; nodes still down, GPUs unreported: " + r.downNodes()) + "; pool settled in " + r.waitedMillis() + " ms";
    return new InvariantResult(6, "no GPU out of rotation without a reason; spares refill the pool",
        problems.isEmpty(), problems.isEmpty() ? counted : counted + ". " + Invariant.some(problems));
  }
}
