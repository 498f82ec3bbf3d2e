package io.baton.workers.engine;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * One model loaded on one (possibly simulated) GPU. The worker agent talks only to this interface,
 * so the reference engine and adapters for real servers are interchangeable.
 *
 * <p>Implementations must allow several generations to run concurrently from different threads;
 * a single {@link Generation} is driven by one thread at a time.
 */
public interface InferenceEngine {

  /** The model's identity and dimensions. */
  ModelInfo model();

  /** What this engine can do; the resume planner reads it to choose restore or recompute. */
  EngineCapabilities capabilities();

  /** Turns text into the model's token ids and back. */
  Tokenizer tokenizer();

  /**
   * Prefills the request's context (prompt, then any generated tokens being resumed) and returns a
   * handle ready to decode. Restored KV blocks and blocks already in the engine's cache are reused
   * instead of recomputed; {@link Generation#prefill()} reports how many tokens each source gave.
   *
   * @throws IllegalArgumentException when a token is outside the vocabulary, the context does not fit,
   *     or restored blocks do not belong to this model and context
   * @throws XidException when the simulated GPU has failed
   */
  Generation start(GenerationRequest request);

  /**
   * {@link #start}, for callers that must not block: an engine in this process answers at once (a
   * completed stage, failed with what {@code start} would throw); a remote engine once its server
   * has accepted the request.
   *
   * @param maxNewTokens the most tokens the caller will step: a remote server is asked for exactly
   *     these (an engine in this process computes only what is stepped)
   */
  default CompletionStage<Generation> startAsync(GenerationRequest request, int maxNewTokens) {
    try {
      return CompletableFuture.completedFuture(start(request));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * The KV blocks the GPU's memory holds now, by hash, so placement can send a session to the GPU
   * that already holds its prefix. Empty when the engine cannot tell.
   */
  default Collection<String> heldBlocks() {
    return List.of();
  }

  /**
   * What a GPU reset does: its memory (the KV cache) is emptied and a simulated fault cleared. Real
   * engines are reset by the host's tooling, outside Baton, so this does nothing for them.
   */
  default void reset() {}

  /**
   * The liveness probe: whether the engine answers within {@code timeout}. Never fails; an engine in
   * this process is as alive as the node.
   */
  default CompletionStage<Boolean> healthy(Duration timeout) {
    return CompletableFuture.completedFuture(true);
  }

  /** Fault injection, for engines that simulate a GPU; empty for real engines. */
  default Optional<FaultHooks> faults() {
    return Optional.empty();
  }
}
