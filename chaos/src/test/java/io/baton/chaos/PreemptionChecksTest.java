package io.baton.chaos;

import static io.baton.chaos.InvariantChecksTest.BOUNDS;
import static io.baton.chaos.InvariantChecksTest.T0;
import static io.baton.chaos.InvariantChecksTest.event;
import static io.baton.chaos.InvariantChecksTest.xid;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.chaos.report.InvariantResult;
import io.baton.chaos.report.RecoverySample;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Invariant 5 in preempt-storm: preemptions are counted and must happen, a fault's hits keep their bound. */
class PreemptionChecksTest {

  /** On gpu-a from 10 ms, ended at {@code failedMs} for {@code cause}; the next attempt's first token at resumedMs. */
  static SessionAudit ended(String id, String key, String cause, long failedMs, long resumedMs) {
    return new SessionAudit(id, key, true, "completed", "length", 16, T0, List.of(
        event(1, "Submitted", 0),
        event(2, "Placed", 10, "attempt", 1, "worker", "gpu-a"),
        event(3, "TokensAppended", 100, "attempt", 1, "from_index", 0, "tokens", 8),
        event(4, "AttemptFailed", failedMs, "attempt", 1, "cause", cause),
        event(5, "Placed", resumedMs - 100, "attempt", 2, "worker", "gpu-b"),
        event(6, "TokensAppended", resumedMs, "attempt", 2, "from_index", 8, "tokens", 8),
        event(7, "Completed", resumedMs + 500)), "x");
  }

  static Observations storm(List<SessionAudit> sessions, List<FaultInjector.Injection> injections) {
    return new Observations(Scenario.named("preempt-storm").orElseThrow(), T0, BOUNDS, Map.of(), List.of(), null,
        sessions, injections, List.of(), new Observations.Rotation(4, 2, List.of(), true, 0, List.of()), Map.of());
  }

  @Test
  void aStormWithoutAPreemptionShowedNothingAndFails() {
    InvariantResult r = new RecoveryWithinBound(100).check(storm(List.of(ended("s1", "b0", "XID", 1050, 1500)),
        List.of(xid("gpu-a", 1000))));
    assertFalse(r.passed(), r.detail());
    assertTrue(r.detail().contains("no attempt was preempted"), r.detail());
  }

  @Test
  void aPreemptionIsCountedNotTimedWhileTheXidsHitsKeepTheirBound() {
    // b3 was preempted before the XID and waited 6.5 s for its place: queueing, not a recovery.
    SessionAudit waited = ended("b-req-3", "b3", "PREEMPTED", 500, 7000);
    SessionAudit moved = ended("b-req-4", "b4", "XID", 1050, 1700);
    Observations o = storm(List.of(waited, moved), List.of(xid("gpu-a", 1000)));
    InvariantResult r = new RecoveryWithinBound(100).check(o);
    assertTrue(r.passed(), r.detail());
    assertTrue(r.detail().contains("1 recoveries measured") && r.detail().contains(
        "1 attempts ended PREEMPTED (1 of batch lines, 0 of streams)"), r.detail());

    SessionAudit slow = ended("b-req-5", "b5", "XID", 1050, 2500);
    InvariantResult over = new RecoveryWithinBound(100).check(storm(List.of(waited, slow),
        List.of(xid("gpu-a", 1000))));
    assertFalse(over.passed(), "an XID's hit is held to 1 s even amid preemptions: " + over.detail());
    assertTrue(over.detail().contains("b-req-5"), over.detail());
  }

  @Test
  void anAttemptTheQueuePreemptedBeforeTheXidEndedItIsShownApartFromTheSamples() {
    SessionAudit first = ended("b-req-6", "b6", "PREEMPTED", 1050, 5000);
    Observations o = storm(List.of(first), List.of(xid("gpu-a", 1000)));
    assertEquals(List.of(), Recoveries.samples(o, 100));
    InvariantResult r = new RecoveryWithinBound(100).check(o);
    assertTrue(r.passed(), r.detail());
    assertTrue(r.detail().contains("preempted first") && r.detail().contains("b-req-6 4000 ms"), r.detail());
    List<RecoverySample> xidSamples = Recoveries.samples(storm(List.of(ended("b-req-7", "b7", "XID", 1050, 5000)),
        List.of(xid("gpu-a", 1000))), 100);
    assertEquals(List.of(4000L), xidSamples.stream().map(RecoverySample::millis).toList(), "an XID's own end is timed");
  }

  @Test
  void aSessionThatQueuedBeforeItsAttemptIsStillFoundRunningAtTheFault() {
    SessionAudit moved = ended("b-req-8", "b8", "XID", 1050, 1700);
    List<SessionAudit.Event> events = new ArrayList<>(moved.events());
    // As the events endpoint showed a Queued event before it gave one a time.
    events.add(1, new SessionAudit.Event(9, "Queued", null, Http.JSON.createObjectNode()));
    SessionAudit queued = new SessionAudit("b-req-8", "b8", true, "completed", "length", 16, T0, events, "x");
    assertEquals(List.of(700L), Recoveries.samples(storm(List.of(queued), List.of(xid("gpu-a", 1000))), 100)
        .stream().map(RecoverySample::millis).toList());
  }

  /** A fleet of one busy GPU, as a fault plan sees it. */
  record Targets(List<Fleet.Gpu> gpus, boolean mayWait, OptionalInt waiting) implements FaultPlan.Targets {
    public List<FaultPlan.RunningSession> running() {
      return List.of();
    }

    public Optional<String> hostOf(String sessionId) {
      return Optional.empty();
    }

    public Set<String> taken() {
      return Set.of();
    }

    public String oldestNode() {
      return "node-1";
    }
  }

  @Test
  void theStormsXidWaitsForAnEmptyQueueForHalfItsPatience() {
    FaultPlan plan = new FaultPlan.XidOnBusyGpuWhenNothingWaits(13);
    List<Fleet.Gpu> busy = List.of(new Fleet.Gpu("gpu-a", "node-2", "h", "active", null, null, null, 8, null, null));
    Optional<Fault> xid = Optional.of(new Fault.XidFault("gpu-a", 13));
    assertEquals(Optional.empty(), plan.choose(new Targets(busy, true, OptionalInt.of(2))));
    assertEquals(Optional.empty(), plan.choose(new Targets(busy, true, OptionalInt.empty())), "unknown is not empty");
    assertEquals(xid, plan.choose(new Targets(busy, true, OptionalInt.of(0))));
    assertEquals(xid, plan.choose(new Targets(busy, false, OptionalInt.of(2))), "then it hits regardless");
    assertFalse(plan.reserveHelps(), "a reserve stream would only queue too");
  }

  @Test
  void anInteractiveStreamMustNeverBePreempted() {
    InvariantResult r = new RecoveryWithinBound(100).check(storm(List.of(ended("s9", "c9", "PREEMPTED", 1050, 3000)),
        List.of()));
    assertFalse(r.passed(), r.detail());
    assertTrue(r.detail().contains("1 attempts of interactive streams were preempted"), r.detail());
  }
}
