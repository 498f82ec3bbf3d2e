package io.baton.workers.engine;

/**
 * What an engine supports; the resume planner and placement read this rather than the engine type.
 *
 * @param canExportKv full KV blocks can be exported for checkpoints
 * @param canImportKv a generation can start from restored blocks instead of recomputing them
 * @param deterministic token i is a pure function of the model, tokens [0, i) and the sampling
 *     parameters, so a resumed run reproduces an uninterrupted one bit for bit
 * @param prefixCaching generations sharing a prefix reuse cached blocks
 */
public record EngineCapabilities(
    boolean canExportKv, boolean canImportKv, boolean deterministic, boolean prefixCaching) {

  /** The reference engine: everything. */
  public static EngineCapabilities reference() {
    return new EngineCapabilities(true, true, true, true);
  }

  /** An OpenAI-compatible server: resume by recompute only, no bit-exactness. */
  public static EngineCapabilities recomputeOnly() {
    return new EngineCapabilities(false, false, false, false);
  }
}
