package io.baton.workers.agent;

import com.typesafe.config.Config;
import io.baton.actors.session.ResumeMethod;
import io.baton.workers.engine.ModelInfo;
import java.time.Duration;

/**
 * Chooses how to resume a session on a GPU: KV_RESTORE (fetch the checkpointed KV blocks from the
 * block store, import them, recompute only the tail) or RECOMPUTE (run the context through the
 * model, reusing for free the leading blocks the GPU already caches).
 *
 * <p>Recompute grows quadratically with the context (every token attends to all before it) while a
 * restore grows linearly with the blocks fetched, plus a fixed round trip. So short contexts are
 * recomputed and long ones restored; the defaults in {@code reference.conf} put the switch where
 * {@code ./baton bench kv} measured it.
 *
 * <p>Costs are normalised to baton-medium's shape and scaled to the model at hand, so one set of
 * numbers serves every model:
 *
 * @param restoreFixed one restore's fixed cost: a store round trip and the engine's start
 * @param restorePerBlock fetching and importing one 16-token block of up to 64 KiB (layers × width
 *     up to {@value #REFERENCE_LAYER_WIDTH}); a larger block costs more in proportion to its bytes.
 *     Below that the store's per-row work dominates: on the bench, 64 blocks of baton-small (16 KiB)
 *     took as long as 64 of baton-medium (64 KiB)
 * @param recomputePerTokenBase running one token through a model with layers × width² =
 *     {@value #REFERENCE_LAYER_WIDTH_SQUARED}, attention aside; scaled by layers × width², the
 *     size of the projections and the MLP
 * @param recomputeContextFactor the attention term: a token at position p costs {@code base × (1 +
 *     factor × p / width)}, because attention reads p keys and values (∝ p × width per layer) while
 *     the rest of the layer is ∝ width²
 * @param simulatedPrefillPerToken the reference engine's simulated GPU time per computed token,
 *     which the worker waits out on top of the real compute (zero outside dev and chaos runs)
 */
public record ResumeCostModel(
    Duration restoreFixed,
    Duration restorePerBlock,
    Duration recomputePerTokenBase,
    double recomputeContextFactor,
    Duration simulatedPrefillPerToken) {

  /** layers × width of baton-medium (4 × 128, 64 KiB blocks), the unit of {@code restorePerBlock}. */
  public static final int REFERENCE_LAYER_WIDTH = 512;

  /** layers × width² of baton-medium (4 × 128²), the unit of {@code recomputePerTokenBase}. */
  public static final int REFERENCE_LAYER_WIDTH_SQUARED = 65536;

  public ResumeCostModel {
    if (restoreFixed.isNegative()
        || restorePerBlock.isNegative()
        || recomputePerTokenBase.isNegative()
        || simulatedPrefillPerToken.isNegative()
        || !(recomputeContextFactor >= 0)) {
      throw new IllegalArgumentException("resume costs must not be negative");
    }
  }

  /** Reads {@code baton.workers.cost-model} and the simulated prefill time from the root config. */
  public static ResumeCostModel fromConfig(Config workersConfig) {
    Config c = workersConfig.getConfig("baton.workers.cost-model");
    return new ResumeCostModel(
        c.getDuration("restore-fixed"),
        c.getDuration("restore-per-block"),
        c.getDuration("recompute-per-token-base"),
        c.getDouble("recompute-context-factor"),
        workersConfig.getDuration("baton.workers.engine.timing.prefill-per-token"));
  }

  /** The same costs for an engine with another simulated prefill time (zero: real compute only). */
  public ResumeCostModel withSimulatedPrefillPerToken(Duration perToken) {
    return new ResumeCostModel(
        restoreFixed, restorePerBlock, recomputePerTokenBase, recomputeContextFactor, perToken);
  }

  /** Estimated time to recompute tokens [fromToken, toToken) of a context for this model. */
  public Duration recompute(ModelInfo model, int fromToken, int toToken) {
    if (fromToken < 0 || toToken < fromToken) {
      throw new IllegalArgumentException("no token range [" + fromToken + ", " + toToken + ")");
    }
    long n = toToken - fromToken;
    // Sum over p in [from, to) of (1 + f·p/width), in closed form: n + f/width · Σp.
    double positions = (fromToken + (double) toToken - 1) * n / 2;
    double units = n + recomputeContextFactor * positions / model.width();
    double nanos =
        recomputePerTokenBase.toNanos() * tokenScale(model) * units + (double) simulatedPrefillPerToken.toNanos() * n;
    return Duration.ofNanos(Math.round(nanos));
  }

  /** Estimated time to fetch and import {@code blocks} KV blocks. */
  public Duration restore(ModelInfo model, int blocks) {
    if (blocks < 0) {
      throw new IllegalArgumentException("negative block count " + blocks);
    }
    double nanos = restoreFixed.toNanos() + restorePerBlock.toNanos() * blockScale(model) * blocks;
    return Duration.ofNanos(Math.round(nanos));
  }

  /** How many reference blocks one of this model's blocks costs to restore: at least one. */
  public static double blockScale(ModelInfo model) {
    return Math.max(1.0, (double) model.layers() * model.width() / REFERENCE_LAYER_WIDTH);
  }

  /** How many reference tokens one of this model's tokens costs to compute, attention aside. */
  public static double tokenScale(ModelInfo model) {
    return (double) model.layers() * model.width() * model.width() / REFERENCE_LAYER_WIDTH_SQUARED;
  }

  /**
   * KV_RESTORE or RECOMPUTE for a resume (never FRESH: a resume has a context to rebuild).
   *
   * @param contextTokens prompt plus durable generated tokens
   * @param checkpointedTokens leading tokens covered by stored KV blocks (a multiple of 16)
   * @param cachedTokens leading tokens whose blocks the target GPU already holds locally
   */
  public ResumeMethod choose(ModelInfo model, int contextTokens, int checkpointedTokens, int cachedTokens) {
    if (contextTokens < 1) {
      throw new IllegalArgumentException("a resume needs at least one context token");
    }
    int blockTokens = model.kvBlockTokens();
    // The engine restores whole blocks of the context only, however far the checkpoint reaches.
    int stored = Math.min(Math.max(0, checkpointedTokens), contextTokens) / blockTokens * blockTokens;
    int cached = Math.min(Math.max(0, cachedTokens), contextTokens);
    if (stored == 0 || stored <= cached) {
      return ResumeMethod.RECOMPUTE;
    }
    // The engine always runs the last token for its logits, so both paths compute at least one.
    int last = contextTokens - 1;
    Duration viaRecompute = recompute(model, Math.min(cached, last), contextTokens);
    // A restore imports every checkpointed block from block 0 (the engine takes a prefix), so blocks
    // the GPU already caches are fetched too; cached blocks past the checkpoint are still reused.
    Duration viaRestore =
        restore(model, stored / blockTokens)
            .plus(recompute(model, Math.min(Math.max(stored, cached), last), contextTokens));
    return viaRestore.compareTo(viaRecompute) < 0 ? ResumeMethod.KV_RESTORE : ResumeMethod.RECOMPUTE;
  }

  /**
   * Whether restoring {@code storedTokens} leading tokens from the store beats recomputing them,
   * given {@code cachedTokens} are already local (prompt caching for fresh sessions). Tokens after
   * the stored prefix cost the same either way, so only the prefix is compared.
   */
  public boolean restoreBeatsRecompute(ModelInfo model, int storedTokens, int cachedTokens) {
    int blocks = Math.max(0, storedTokens) / model.kvBlockTokens();
    int stored = blocks * model.kvBlockTokens();
    int cached = Math.max(0, cachedTokens);
    if (blocks == 0 || stored <= cached) {
      return false;
    }
    return restore(model, blocks).compareTo(recompute(model, cached, stored)) < 0;
  }

  /**
   * The smallest context (a multiple of 16, up to the model's max context) from which a resume with
   * a full checkpoint and a cold GPU is restored, or -1 if it never is: where the model switches.
   */
  public int crossoverTokens(ModelInfo model) {
    for (int c = model.kvBlockTokens(); c <= model.maxContext(); c += model.kvBlockTokens()) {
      if (choose(model, c, c, 0) == ResumeMethod.KV_RESTORE) {
        return c;
      }
    }
    return -1;
  }
}
