package io.baton.workers.engine;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Content addresses of KV blocks: {@code hash(parentHash, blockTokens, modelId)}, as in vLLM's prefix
 * caching. Chaining through the parent makes a hash name the whole prefix, not only its last 16
 * tokens, so equal hashes mean equal keys and values; the model id keeps models from sharing blocks.
 */
public final class BlockHash {
  /** Tokens per block. */
  public static final int BLOCK_TOKENS = 16;

  /** The parent of a context's first block. */
  public static final String ROOT = "";

  private static final int HEX_CHARS = 32;

  private BlockHash() {}

  /** SHA-256 of the inputs, as the first 32 lower-case hex characters (128 bits). */
  public static String of(String parentHash, int[] tokens, int from, String modelId) {
    MessageDigest sha = sha256();
    // Lengths are written before variable-size fields so that no two inputs share an encoding.
    byte[] parent = parentHash.getBytes(StandardCharsets.UTF_8);
    byte[] model = modelId.getBytes(StandardCharsets.UTF_8);
    ByteBuffer buf = ByteBuffer.allocate(12 + parent.length + model.length + 4 * BLOCK_TOKENS);
    buf.putInt(parent.length).put(parent).putInt(model.length).put(model).putInt(BLOCK_TOKENS);
    for (int i = 0; i < BLOCK_TOKENS; i++) {
      buf.putInt(tokens[from + i]);
    }
    byte[] digest = sha.digest(buf.array());
    return HexFormat.of().formatHex(digest).substring(0, HEX_CHARS);
  }

  /** The hashes of every full block of {@code tokens}, oldest first. */
  public static String[] chain(int[] tokens, int length, String modelId) {
    String[] hashes = new String[length / BLOCK_TOKENS];
    String parent = ROOT;
    for (int b = 0; b < hashes.length; b++) {
      parent = of(parent, tokens, b * BLOCK_TOKENS, modelId);
      hashes[b] = parent;
    }
    return hashes;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM must provide SHA-256", e);
    }
  }
}
