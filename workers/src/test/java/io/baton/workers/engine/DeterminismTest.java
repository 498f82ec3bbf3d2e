package io.baton.workers.engine;

import static io.baton.workers.engine.Models.GREEDY;
import static io.baton.workers.engine.Models.SAMPLED;
import static io.baton.workers.engine.Models.SMALL;
import static io.baton.workers.engine.Models.prompt;
import static io.baton.workers.engine.Models.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class DeterminismTest {
  private final List<Integer> prompt = prompt(12, 1);

  @Test
  void greedyRunsRepeatExactly() {
    assertEquals(run(SMALL, prompt, GREEDY, 40), run(SMALL, prompt, GREEDY, 40));
  }

  @Test
  void seededSamplingRunsRepeatExactly() {
    assertEquals(run(SMALL, prompt, SAMPLED, 40), run(SMALL, prompt, SAMPLED, 40));
  }

  @Test
  void differentSeedsGiveDifferentOutputs() {
    var a = run(SMALL, prompt, new SamplingParams(0.8, 0.9, 1), 40);
    var b = run(SMALL, prompt, new SamplingParams(0.8, 0.9, 2), 40);
    assertNotEquals(a, b);
  }

  @Test
  void samplingParametersMatter() {
    var greedy = run(SMALL, prompt, GREEDY, 40);
    assertNotEquals(greedy, run(SMALL, prompt, new SamplingParams(1.0, 1.0, 7), 40));
    // A tiny nucleus keeps only the most likely token, which is greedy decoding.
    assertEquals(greedy, run(SMALL, prompt, new SamplingParams(1.0, 1e-9, 7), 40));
  }

  @Test
  void concurrentGenerationsSharingACacheMatchSequentialRuns() {
    ReferenceEngine engine = ReferenceEngine.of(SMALL, 8);
    List<CompletableFuture<List<Integer>>> runs =
        List.of(1L, 2L, 3L, 4L).stream()
            .map(seed -> new SamplingParams(0.8, 0.9, seed))
            .map(
                sampling ->
                    CompletableFuture.supplyAsync(
                        () ->
                            Models.generate(
                                engine.start(GenerationRequest.fresh(prompt(40, 5), sampling)), 40)))
            .toList();
    for (int i = 0; i < runs.size(); i++) {
      assertEquals(
          run(SMALL, prompt(40, 5), new SamplingParams(0.8, 0.9, i + 1), 40), runs.get(i).join());
    }
  }

  @Test
  void stepIndexesCountGeneratedTokensFromZero() {
    Generation g = ReferenceEngine.of(SMALL, 0).start(GenerationRequest.fresh(prompt, SAMPLED));
    assertEquals(0, g.step().index());
    assertEquals(1, g.step().index());
    assertEquals(prompt.size() + 2, g.contextLength());
    Generation resumed =
        ReferenceEngine.of(SMALL, 0)
            .start(GenerationRequest.recompute(prompt, List.of(3, 4, 5), SAMPLED));
    assertEquals(3, resumed.nextIndex());
    assertEquals(3, resumed.step().index());
  }

  @Test
  void sixtyFourSmallTokensTakeWellUnderFiftyMilliseconds() {
    for (int warmup = 0; warmup < 20; warmup++) {
      run(SMALL, prompt, SAMPLED, 64);
    }
    long best = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      long t0 = System.nanoTime();
      run(SMALL, prompt, SAMPLED, 64);
      best = Math.min(best, System.nanoTime() - t0);
    }
    assertTrue(best < 50_000_000L, "64 tokens took " + best / 1_000 + " us");
  }
}
