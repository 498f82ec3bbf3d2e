package io.baton.workers.engine;

import java.util.List;

/**
 * One full KV block, as exported for a checkpoint and stored in the KV block store.
 *
 * <p>The payload is engine-specific; only the engine that exported it (same model) can import it.
 * Records compare arrays by reference, so compare payloads with {@link java.util.Arrays#equals}; the
 * hash already identifies the content.
 *
 * @param hash {@link BlockHash} of parentHash, tokens and model id
 * @param parentHash hash of the previous block, or {@link BlockHash#ROOT} for the first block
 * @param tokens exactly {@link BlockHash#BLOCK_TOKENS} tokens
 * @param payload the keys and values of every layer for these tokens
 */
public record KvBlock(String hash, String parentHash, List<Integer> tokens, byte[] payload) {

  public KvBlock {
    tokens = List.copyOf(tokens);
    if (tokens.size() != BlockHash.BLOCK_TOKENS) {
      throw new IllegalArgumentException(
          "a KV block holds " + BlockHash.BLOCK_TOKENS + " tokens, not " + tokens.size());
    }
    payload = payload.clone();
  }

  /** A copy, so that no holder can change a block another holder shares. */
  @Override
  public byte[] payload() {
    return payload.clone();
  }

  /** The payload's size without copying it. */
  public int payloadBytes() {
    return payload.length;
  }

  byte[] payloadUnsafe() {
    return payload;
  }
}
