package io.baton.workers.engine;

/**
 * A loaded model as the rest of Baton sees it.
 *
 * @param maxContext the most tokens (prompt plus generated) one generation may hold
 * @param kvBlockTokens tokens per KV block; placement and the block store assume the same value on
 *     every worker, because block hashes are computed over exactly this many tokens
 */
public record ModelInfo(
    String id, int vocabSize, int layers, int width, int heads, int maxContext, int kvBlockTokens) {}
