package io.baton.workers.engine;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * One running generation and the paged KV cache it owns. Not thread-safe: one caller drives it.
 *
 * <p>Token indexes count generated tokens only, from 0: the first token after the prompt has index
 * 0. A generation resumed with k generated tokens therefore continues at index k, which is what
 * keeps the sampling random numbers of a resumed run equal to those of an uninterrupted one.
 */
public interface Generation {

  /** What prefill reused and computed, and how long it would take on the simulated GPU. */
  PrefillStats prefill();

  /**
   * Decodes one token.
   *
   * @throws XidException when the simulated GPU fails at this step
   * @throws IllegalStateException when the model's context is full
   */
  Step step();

  /**
   * Decodes one token, for callers that must not block: an engine in this process answers at once
   * (a completed stage); a remote engine answers when its stream delivers the token.
   */
  default CompletionStage<Step> stepAsync() {
    try {
      return CompletableFuture.completedFuture(step());
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** The next token's id; the same as {@code step().token()}. */
  default int next() {
    return step().token();
  }

  /** Index the next {@link #step()} will produce: the number of generated tokens so far. */
  int nextIndex();

  /** Prompt plus generated tokens. */
  int contextLength();

  /**
   * The full KV blocks of the context, oldest first. A partial last block is never exported: only
   * full blocks are content-addressed, so only they can be shared or restored.
   *
   * @param fromBlock how many leading blocks to skip, for incremental checkpoints
   */
  List<KvBlock> exportBlocks(int fromBlock);

  default List<KvBlock> exportBlocks() {
    return exportBlocks(0);
  }

  /** Gives the generation's resources back; a remote one stops its stream. Idempotent. */
  default void close() {}

  /**
   * One decoded token.
   *
   * @param index the generated-token index, from 0
   * @param simulated how long this step takes on the simulated GPU; the caller waits it out (or
   *     not), so the engine itself never sleeps and tests stay fast
   */
  record Step(int token, int index, Duration simulated) {}

  /**
   * @param contextTokens tokens in the context at start (prompt plus resumed generated tokens)
   * @param restoredTokens tokens whose KV came from the request's restored blocks
   * @param cachedTokens tokens whose KV came from blocks already in the engine's cache
   * @param computedTokens tokens run through the model; at least one, because the last token's
   *     logits are never stored in a block
   * @param simulated prefill time on the simulated GPU; only computed tokens cost time
   */
  record PrefillStats(
      int contextTokens, int restoredTokens, int cachedTokens, int computedTokens, Duration simulated) {

    /** Tokens whose KV was not recomputed. */
    public int reusedTokens() {
      return restoredTokens + cachedTokens;
    }
  }
}
