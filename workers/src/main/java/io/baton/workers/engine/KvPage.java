package io.baton.workers.engine;

/**
 * One block of 16 token slots of keys and values for every layer: the unit of the paged KV cache.
 * A page is written only while it is the private tail of one generation; once full it is sealed and
 * may be shared through the {@link BlockCache}, after which nobody writes it again.
 */
final class KvPage {
  final float[][] keys;
  final float[][] values;
  private int filled;

  KvPage(int layers, int width) {
    keys = new float[layers][BlockHash.BLOCK_TOKENS * width];
    values = new float[layers][BlockHash.BLOCK_TOKENS * width];
  }

  int filled() {
    return filled;
  }

  boolean full() {
    return filled == BlockHash.BLOCK_TOKENS;
  }

  void store(int layer, int slot, float[] k, float[] v, int width) {
    System.arraycopy(k, 0, keys[layer], slot * width, width);
    System.arraycopy(v, 0, values[layer], slot * width, width);
  }

  void markFilled(int slots) {
    filled = slots;
  }
}
