package io.baton.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.workers.engine.ReferenceTokenizer;
import io.baton.workers.engine.Tokenizer;
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
  void aShapedWorkloadBurstsOverABatchThatFillsEveryPlace() {
    Workload.Shape shape = Scenario.STORM;
    Duration duration = Duration.ofSeconds(20);
    Duration perToken = Duration.ofMillis(20);
    Workload w = Workload.shaped(7, shape, duration, 32, perToken, 3, 4);
    assertEquals(w, Workload.shaped(7, shape, duration, 32, perToken, 3, 4));
    assertNotEquals(w, Workload.shaped(8, shape, duration, 32, perToken, 3, 4));
    assertEquals(shape.bursts().size() * shape.burstSize(), w.completions().size());
    for (int b = 0; b < shape.bursts().size(); b++) {
      long planned = (long) (duration.toMillis() * shape.bursts().get(b));
      for (Workload.Completion c : w.completions().subList(b * shape.burstSize(), (b + 1) * shape.burstSize())) {
        long at = c.startAt().toMillis();
        assertTrue(at >= planned && at < planned + Workload.BURST_SPREAD.toMillis(), "burst " + b + ": " + at);
      }
    }
    // Lines of 650 tokens on average, 13 s at 20 ms: one wave of 32 covers 65% of 20 s, three 65% of 60 s.
    assertEquals(32, w.batch().size());
    assertEquals(32 * 3, shape.batchLines(Duration.ofSeconds(60), 32, perToken));
    References refs = References.forModel(Workload.MODEL);
    Tokenizer tokenizer = new ReferenceTokenizer(refs.model().vocab());
    for (Workload.BatchLine l : w.batch()) {
      assertTrue(l.maxTokens() >= shape.minTokens() && l.maxTokens() <= shape.maxTokens(), l.toString());
      int context = tokenizer.encodeToList(l.prompt()).size() + l.maxTokens();
      assertTrue(context <= refs.model().maxContext(), "line " + l.line() + " needs " + context + " tokens");
    }
    // Whatever the seed: the longest prompt a line can draw (its longest word every time) still fits.
    int longest = tokenizer.encodeToList("attention. ".repeat(Workload.MAX_LINE_WORDS).trim()).size();
    assertTrue(longest + shape.maxTokens() <= refs.model().maxContext(), longest + " prompt tokens");
    assertEquals(Workload.RESERVE, w.reserve().size());
    assertEquals(w.completions().size(), w.reserve().get(0).index(), "reserve streams come after the bursts");
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
