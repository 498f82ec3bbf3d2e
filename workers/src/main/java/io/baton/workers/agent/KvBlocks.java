package io.baton.workers.agent;

import io.baton.persistence.kv.StoredBlock;
import io.baton.workers.engine.BlockHash;
import io.baton.workers.engine.KvBlock;

/**
 * Converts between the engine's {@link KvBlock} and the store's {@link StoredBlock}. The payload is
 * opaque to both and copied bit for bit; only the first block's parent differs: the engine names it
 * {@link BlockHash#ROOT}, the store {@code null}.
 */
final class KvBlocks {
  private KvBlocks() {}

  static StoredBlock toStored(KvBlock block) {
    String parent = BlockHash.ROOT.equals(block.parentHash()) ? null : block.parentHash();
    return new StoredBlock(block.hash(), parent, block.tokens(), block.payload());
  }

  static KvBlock toEngine(StoredBlock block) {
    String parent = block.parentHash() == null ? BlockHash.ROOT : block.parentHash();
    return new KvBlock(block.hash(), parent, block.tokens(), block.payload());
  }
}
