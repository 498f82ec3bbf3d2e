package io.baton.workers.agent;

import io.baton.workers.engine.Generation;
import io.baton.workers.engine.GenerationRequest;
import io.baton.workers.engine.InferenceEngine;
import io.baton.workers.engine.SamplingParams;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.stream.IntStream;

/**
 * The active health check (DESIGN.md, "Capacity pool"): a short greedy generation from a fixed
 * prompt. A healthy GPU reproduces the output it gave when the agent started; a GPU that faults,
 * hangs past its reset or computes wrongly does not.
 */
final class HealthCheck {
  /** 24 tokens: a whole KV block and a partial one, so paging is exercised too. Fits any vocabulary of 96+. */
  static final List<Integer> PROMPT = IntStream.range(0, 24).map(i -> (i * 7 + 3) % 90).boxed().toList();

  private HealthCheck() {}

  static List<Integer> run(InferenceEngine engine, int tokens) {
    // Asks for exactly these tokens, so a remote engine's stream ends with the check; closed either way.
    // A remote engine's start fails by itself after its stall timeout; an in-process one answers at once.
    Generation generation;
    try {
      generation = engine.startAsync(GenerationRequest.fresh(PROMPT, SamplingParams.greedy()), tokens)
          .toCompletableFuture().join();
    } catch (CompletionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
    }
    try {
      List<Integer> out = new ArrayList<>(tokens);
      for (int i = 0; i < tokens; i++) {
        out.add(generation.next());
      }
      return List.copyOf(out);
    } finally {
      generation.close();
    }
  }
}
