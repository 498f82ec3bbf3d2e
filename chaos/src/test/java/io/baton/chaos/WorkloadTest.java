package io.baton.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The workload and its references are a pure function of the seed, so a failing run can be replayed. */
class WorkloadTest {
  @Test
  void theSameSeedGivesTheSameRequestsAndReferences() {
    Workload a = Workload.generate(42, 20, 10, Duration.ofSeconds(5), 3, 4);
    Workload b = Workload.generate(42, 20, 10, Duration.ofSeconds(5), 3, 4);
    assertEquals(a, b);
    assertNotEquals(a, Workload.generate(43, 20, 10, Duration.ofSeconds(5), 3, 4));
    References refs = References.forModel(Workload.MODEL);
    Map<String, String> ra = refs.compute(a);
    assertEquals(ra, refs.compute(b));
    assertEquals(30 + Workload.RESERVE, ra.size(), "planned streams, batch lines and reserve streams");
    assertTrue(a.completions().stream().allMatch(c -> c.maxTokens() >= 48 && c.maxTokens() <= 96));
    assertEquals(5, a.completions().stream().filter(c -> c.dropAfter() >= 0).count(), "every 4th client drops");
    assertTrue(a.completions().stream().allMatch(c -> c.startAt().compareTo(Duration.ofSeconds(5)) < 0));
  }

  @Test
  void reserveStreamsComeAfterThePlannedOnesAndLeaveThemAsTheyWere() {
    Workload w = Workload.generate(42, 20, 10, Duration.ofSeconds(5), 3, 4);
    assertEquals(Workload.RESERVE, w.reserve().size());
    assertTrue(w.reserve().stream().allMatch(c -> c.index() >= 20 && c.dropAfter() < 0 && c.startAt().isZero()));
    // The planned requests are drawn from the seed alone, whatever the reserve holds.
    Workload again = Workload.generate(42, 20, 10, Duration.ofSeconds(5), 3, 4);
    assertEquals(w.completions(), again.completions());
    assertEquals(w.batch(), again.batch());
  }

  @Test
  void theSeedDecidesTheText() {
    References refs = References.forModel(Workload.MODEL);
    String one = refs.text("the GPU token cache", 32, 1);
    assertEquals(one, refs.text("the GPU token cache", 32, 1));
    assertNotEquals(one, refs.text("the GPU token cache", 32, 2));
  }

  @Test
  void durationsReadAsOperatorsWriteThem() {
    assertEquals(Duration.ofSeconds(60), ChaosMain.duration("60s"));
    assertEquals(Duration.ofMinutes(2), ChaosMain.duration("2m"));
    assertEquals(Duration.ofMillis(500), ChaosMain.duration("500ms"));
    assertEquals(Duration.ofSeconds(30), ChaosMain.duration("30"));
  }
}
