package io.baton.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.baton.chaos.report.InvariantResult;
import io.baton.chaos.report.RecoverySample;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The checks on hand-made observations: each must notice exactly what it exists to notice. */
class InvariantChecksTest {
  static final Instant T0 = Instant.parse("2026-11-28T12:00:00Z");
  static final Bounds BOUNDS = new Bounds(Duration.ofMillis(500), Duration.ofSeconds(2), Duration.ofSeconds(7),
      Duration.ofSeconds(7), Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofMillis(20), Duration.ofMillis(200));

  static SessionAudit.Event event(long seq, String type, long atMs, Object... kv) {
    ObjectNode summary = Http.JSON.createObjectNode();
    for (int i = 0; i < kv.length; i += 2) {
      summary.putPOJO((String) kv[i], kv[i + 1]);
    }
    return new SessionAudit.Event(seq, type, T0.plusMillis(atMs), Http.JSON.valueToTree(summary));
  }

  /** Placed on gpu-a, XID at 1000 ms fails it at 1050, placed on gpu-b at 1200, first token at {@code resumedMs}. */
  static SessionAudit migrated(String id, long resumedMs) {
    List<SessionAudit.Event> events = new ArrayList<>(List.of(
        event(1, "Submitted", 0),
        event(2, "Placed", 10, "attempt", 1, "worker", "gpu-a"),
        event(3, "TokensAppended", 100, "attempt", 1, "from_index", 0, "tokens", 8),
        event(4, "AttemptFailed", 1050, "attempt", 1, "cause", "XID"),
        event(5, "Placed", 1200, "attempt", 2, "worker", "gpu-b"),
        event(6, "TokensAppended", resumedMs, "attempt", 2, "from_index", 8, "tokens", 8),
        event(7, "Completed", resumedMs + 500)));
    return new SessionAudit(id, "c0", true, "completed", "length", 16, T0, events, "x");
  }

  static Observations observations(List<SessionAudit> sessions, List<StreamLog> streams,
      List<FaultInjector.Injection> injections, Map<String, String> logs) {
    return new Observations(Scenario.named("xid-reset").orElseThrow(), T0, BOUNDS, Map.of("c0", "x"), streams, null,
        sessions, injections, List.of(), new Observations.Rotation(4, 2, List.of(), true, 0, List.of()), logs);
  }

  static FaultInjector.Injection xid(String gpu, long atMs) {
    return new FaultInjector.Injection(new Fault.XidFault(gpu, 48), T0.plusMillis(atMs), null, Set.of(gpu), Set.of(),
        Map.of(), "");
  }

  @Test
  void anXidRecoveryIsTimedFromTheFaultToTheNextAttemptsFirstToken() {
    Observations o = observations(List.of(migrated("s1", 1800), migrated("s2", 2500)), List.of(),
        List.of(xid("gpu-a", 1000)), Map.of());
    List<RecoverySample> samples = Recoveries.samples(o, 100);
    assertEquals(List.of(800L, 1500L), samples.stream().map(RecoverySample::millis).toList());
    InvariantResult r = new RecoveryWithinBound(100).check(o);
    assertFalse(r.passed(), r.detail());
    assertTrue(r.detail().contains("s2") && !r.detail().contains("s1 "), r.detail());
  }

  @Test
  void anXidOnAnotherGpuHitsNoSession() {
    Observations o = observations(List.of(migrated("s1", 1800)), List.of(), List.of(xid("gpu-z", 1000)), Map.of());
    assertEquals(List.of(), Recoveries.samples(o, 100));
  }

  @Test
  void aSessionThatKeptGeneratingOnTheFaultedGpuIsReportedAsNeverMoved() {
    SessionAudit stayed = new SessionAudit("s3", "c0", true, "completed", "length", 16, T0, List.of(
        event(1, "Placed", 10, "attempt", 1, "worker", "gpu-a"),
        event(2, "TokensAppended", 100, "attempt", 1),
        event(3, "TokensAppended", 2500, "attempt", 1),
        event(4, "Completed", 2600)), "x");
    InvariantResult r = new RecoveryWithinBound(100).check(observations(List.of(stayed), List.of(),
        List.of(xid("gpu-a", 1000)), Map.of()));
    assertFalse(r.passed());
    assertTrue(r.detail().contains("never moved"), r.detail());
  }

  static StreamLog stream(String session, int... ids) {
    List<StreamLog.Received> received = new ArrayList<>();
    for (int id : ids) {
      received.add(new StreamLog.Received(0, id, "x"));
    }
    return new StreamLog(0, session, T0, received, List.of(), StreamLog.Outcome.FINISHED, "");
  }

  @Test
  void aStitchedStreamMustHoldEveryIdExactlyOnce() {
    SessionAudit s = new SessionAudit("s1", "c0", true, "completed", "length", 4, T0, List.of(), "xxxx");
    assertTrue(new StreamContinuity().check(observations(List.of(s), List.of(stream("s1", 0, 1, 2, 3)), List.of(),
        Map.of())).passed());
    InvariantResult dup = new StreamContinuity().check(observations(List.of(s), List.of(stream("s1", 0, 1, 1, 2, 3)),
        List.of(), Map.of()));
    assertFalse(dup.passed());
    assertTrue(dup.detail().contains("duplicate ids [1]"), dup.detail());
    InvariantResult gap = new StreamContinuity().check(observations(List.of(s), List.of(stream("s1", 0, 1, 3)),
        List.of(), Map.of()));
    assertFalse(gap.passed());
    assertTrue(gap.detail().contains("missing ids [2]"), gap.detail());
  }

  @Test
  void replayFilterAndStashMessagesInNodeLogsFailTheirInvariants() {
    Map<String, String> logs = Map.of("node-2", "ok line\nERROR Invalid replayed event [sequenceNr=5, writerUUID=a]"
        + " from a new writer\n", "node-3", "WARN Stash buffer is full, dropping message [Append]\n"
        + "WARN Dropping message [Heartbeat] from [a] to [b] due to quarantined system\n");
    Observations o = observations(List.of(), List.of(), List.of(), logs);
    assertFalse(new StreamContinuity().check(o).passed());
    InvariantResult stash = new NoStashDrop().check(o);
    assertFalse(stash.passed());
    assertTrue(stash.detail().contains("1 stash overflows"), "Artery's quarantine drops are not stash drops: "
        + stash.detail());
  }

  @Test
  void aSessionEndsExactlyOnce() {
    SessionAudit twice = new SessionAudit("s1", "c0", true, "completed", "length", 4, T0, List.of(
        event(1, "Completed", 10), event(2, "Completed", 20)), "x");
    InvariantResult r = new TerminalOnce().check(observations(List.of(twice), List.of(), List.of(), Map.of()));
    assertFalse(r.passed());
    assertTrue(r.detail().contains("2 terminal events"), r.detail());
  }
}
