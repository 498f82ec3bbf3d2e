package io.baton.workers.engine;

import static io.baton.workers.engine.Models.GREEDY;
import static io.baton.workers.engine.Models.SAMPLED;
import static io.baton.workers.engine.Models.SMALL;
import static io.baton.workers.engine.Models.concat;
import static io.baton.workers.engine.Models.generate;
import static io.baton.workers.engine.Models.prompt;
import static io.baton.workers.engine.Models.run;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * An interrupted generation, resumed by recompute, by KV restore on another engine, or from the
 * local cache, continues with exactly the tokens an uninterrupted run produces.
 */
class ResumeExactnessTest {
  private static final int N = 40;

  static Stream<Arguments> cuts() {
    Stream.Builder<Arguments> cases = Stream.builder();
    for (SamplingParams sampling : List.of(GREEDY, SAMPLED)) {
      // A 10-token prompt reaches the first block boundary after 6 generated tokens, a 20-token
      // prompt the second one after 12.
      for (int promptLength : List.of(10, 20)) {
        int boundary = 16 * (promptLength / 16 + 1) - promptLength;
        for (int k : List.of(0, 1, 7, boundary, N - 1)) {
          cases.add(Arguments.of(sampling.isGreedy() ? "greedy" : "sampled", sampling, promptLength, k));
        }
      }
    }
    return cases.build();
  }

  @ParameterizedTest(name = "{0}, prompt {2}, cut after {3}")
  @MethodSource("cuts")
  void resumesExactly(String name, SamplingParams sampling, int promptLength, int k) {
    List<Integer> prompt = prompt(promptLength, promptLength);
    List<Integer> reference = run(SMALL, prompt, sampling, N);
    List<Integer> done = reference.subList(0, k);

    // (a) Recompute on a fresh engine.
    Generation recomputed =
        ReferenceEngine.of(SMALL, 64).start(GenerationRequest.recompute(prompt, done, sampling));
    assertEquals(0, recomputed.prefill().reusedTokens());
    assertEquals(promptLength + k, recomputed.prefill().computedTokens());
    assertEquals(reference, concat(done, generate(recomputed, N - k)), "recompute");

    // (b) Export from the interrupted generation, restore on a fresh engine, recompute the tail.
    ReferenceEngine original = ReferenceEngine.of(SMALL, 64);
    Generation interrupted = original.start(GenerationRequest.fresh(prompt, sampling));
    assertEquals(done, generate(interrupted, k));
    List<KvBlock> blocks = interrupted.exportBlocks();
    int fullBlocks = (promptLength + k) / 16;
    assertEquals(fullBlocks, blocks.size());
    Generation restored =
        ReferenceEngine.of(SMALL, 64)
            .start(GenerationRequest.restore(prompt, done, sampling, blocks));
    assertEquals(fullBlocks * 16, restored.prefill().restoredTokens());
    assertEquals(
        Math.max(1, promptLength + k - fullBlocks * 16), restored.prefill().computedTokens());
    assertEquals(reference, concat(done, generate(restored, N - k)), "KV restore");

    // (c) Recompute on the original engine, whose cache still holds the blocks.
    Generation cached = original.start(GenerationRequest.recompute(prompt, done, sampling));
    assertEquals(fullBlocks * 16, cached.prefill().cachedTokens());
    assertEquals(reference, concat(done, generate(cached, N - k)), "cache reuse");
  }
}
