package io.baton.persistence.kv;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One full KV block as stored: its content hash, the hash of the block before it in the chain
 * ({@code null} for a chain's first block), its tokens and the opaque KV payload. The payload is
 * copied in and out, and equality compares its bytes, not the array reference a record would use.
 */
public record StoredBlock(String hash, String parentHash, List<Integer> tokens, byte[] payload) {
  public StoredBlock {
    Objects.requireNonNull(hash, "hash");
    tokens = List.copyOf(tokens);
    payload = payload.clone();
  }

  @Override
  public byte[] payload() {
    return payload.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof StoredBlock b
        && hash.equals(b.hash)
        && Objects.equals(parentHash, b.parentHash)
        && tokens.equals(b.tokens)
        && Arrays.equals(payload, b.payload);
  }

  @Override
  public int hashCode() {
    return Objects.hash(hash, parentHash, tokens, Arrays.hashCode(payload));
  }

  @Override
  public String toString() {
    return "StoredBlock[hash=" + hash + ", parentHash=" + parentHash + ", tokens=" + tokens.size()
        + ", payload=" + payload.length + " bytes]";
  }
}
