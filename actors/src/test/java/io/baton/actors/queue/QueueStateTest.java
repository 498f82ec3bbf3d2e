package io.baton.actors.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.actors.queue.QueueEvent.Admitted;
import io.baton.actors.queue.QueueEvent.Enqueued;
import io.baton.actors.queue.QueueEvent.Left;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The admission order: class, then preempted, then attained service per weight, then time queued. */
class QueueStateTest {
  static final Instant T0 = Instant.parse("2026-12-06T10:00:00Z");

  static Enqueued waits(String id, String tenant, double weight, int rank, long cost, int second) {
    return new Enqueued(id, tenant, weight, rank, cost, false, T0.plusSeconds(second), T0.plusSeconds(second));
  }

  static QueueState of(QueueEvent... events) {
    QueueState s = QueueState.empty("m");
    for (QueueEvent e : events) {
      s = s.apply(e);
    }
    return s;
  }

  static QueueState admitNext(QueueState s) {
    return s.apply(new Admitted(List.of(s.next().orElseThrow().sessionId()), T0));
  }

  @Test
  void theHighestClassGoesFirstThenAPreemptedSessionThenTheEarliest() {
    QueueState s = of(
        waits("batch-early", "a", 1, 1, 10, 0),
        waits("background", "a", 1, 2, 10, 1),
        new Enqueued("batch-preempted", "a", 1, 1, 10, true, T0.plusSeconds(5), T0.plusSeconds(5)),
        waits("interactive-late", "b", 1, 0, 10, 9));
    assertEquals(List.of("interactive-late", "batch-preempted", "batch-early", "background"),
        s.ordered().stream().map(QueueState.Waiter::sessionId).toList());
  }

  @Test
  void weightsSplitAdmissionsInProportionWhileBothTenantsWait() {
    QueueState s = QueueState.empty("m");
    for (int i = 0; i < 60; i++) {
      s = s.apply(waits("h" + i, "heavy", 3, 1, 32, i)).apply(waits("l" + i, "light", 1, 1, 32, i));
    }
    Map<String, Integer> admitted = new HashMap<>();
    for (int i = 0; i < 40; i++) {
      String tenant = s.next().orElseThrow().tenant();
      admitted.merge(tenant, 1, Integer::sum);
      s = admitNext(s);
    }
    assertEquals(30, admitted.get("heavy"));
    assertEquals(10, admitted.get("light"));
    assertEquals(30 * 32.0, s.attainedBy("heavy"));
    assertEquals(80, s.waiters().size());
  }

  @Test
  void aTenantThatStartsWaitingBanksNoCreditFromItsIdleTime() {
    // "busy" was served 100 sessions' worth while "idle" sent nothing.
    QueueState s = of(waits("b0", "busy", 1, 1, 3200, 0));
    s = admitNext(s).apply(waits("b1", "busy", 1, 1, 32, 1)).apply(waits("b2", "busy", 1, 1, 32, 2));
    s = s.apply(waits("i1", "idle", 1, 1, 32, 3)).apply(waits("i2", "idle", 1, 1, 32, 4));
    assertEquals(3200.0, s.attainedBy("idle"), "lifted to the least attained service among those waiting");
    // So the two alternate from here instead of the newcomer taking the next hundred admissions.
    List<String> order = new java.util.ArrayList<>();
    for (int i = 0; i < 4; i++) {
      order.add(s.next().orElseThrow().sessionId());
      s = admitNext(s);
    }
    assertEquals(List.of("b1", "i1", "b2", "i2"), order);
  }

  @Test
  void aRepeatedWaitUpdatesTheEntryAndKeepsItsTimeInLine() {
    QueueState s = of(waits("x", "a", 1, 1, 10, 0), waits("y", "a", 1, 1, 10, 1));
    s = s.apply(new Enqueued("x", "a", 1, 1, 10, true, T0, T0.plusSeconds(9)));
    assertEquals(2, s.waiters().size());
    assertTrue(s.waiter("x").orElseThrow().resuming());
    assertEquals(T0, s.waiter("x").orElseThrow().queuedAt());
    assertEquals("x", s.next().orElseThrow().sessionId());
  }

  @Test
  void aSessionThatLeavesIsNotChargedAndAnUnknownAdmissionChargesNobody() {
    QueueState s = of(waits("x", "a", 1, 1, 10, 0), new Left("x", "cancelled", T0),
        new Admitted(List.of("never-queued"), T0));
    assertEquals(List.of(), s.waiters());
    assertEquals(0.0, s.attainedBy("a"));
    assertEquals(1, s.admitted());
  }
}
