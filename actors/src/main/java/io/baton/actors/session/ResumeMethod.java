package io.baton.actors.session;

/**
 * How an attempt starts: from scratch, from a KV checkpoint, or by recomputing the prefix. The
 * attempt's {@code Placed} event records it, and with it which guarantee the resume gives.
 */
public enum ResumeMethod {
  FRESH,
  /** Token-exact: the continuation equals an uninterrupted run. */
  KV_RESTORE,
  /** Token-exact: the continuation equals an uninterrupted run. */
  RECOMPUTE,
  /**
   * Recomputed from the durable tokens on an engine server that restarts its sampler per request
   * (vLLM, SGLang, llama.cpp) for a sampled session: nothing is lost or repeated, but the
   * continuation may differ from an uninterrupted run.
   */
  RECOMPUTE_CONTINUED
}
