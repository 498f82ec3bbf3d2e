package io.baton.workers.engine;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;

/**
 * One block of 16 token slots of keys and values for every layer: the unit of the paged KV cache.
 * A page is written only while it is the private tail of one generation; once full it is sealed and
 * may be shared through the {@link BlockCache}, after which nobody writes it again.
 *
 * <p>The floats live outside the Java heap, as a real GPU's KV cache lives in device memory: the
 * node's heap then measures what Baton itself holds per stream, not the simulated GPU. The layout is
 * the block payload's (per layer, keys then values, big-endian), so checkpoints copy bytes.
 */
final class KvPage {
  private final ByteBuffer bytes;
  private final FloatBuffer floats;
  private final int part; // floats in one layer's keys (or values)
  private int filled;

  KvPage(int layers, int width) {
    part = BlockHash.BLOCK_TOKENS * width;
    bytes = ByteBuffer.allocateDirect(layers * 2 * part * Float.BYTES);
    floats = bytes.asFloatBuffer();
  }

  /** Bytes of a page's floats for a model of this shape. */
  static int byteSize(int layers, int width) {
    return layers * 2 * BlockHash.BLOCK_TOKENS * width * Float.BYTES;
  }

  int filled() {
    return filled;
  }

  boolean full() {
    return filled == BlockHash.BLOCK_TOKENS;
  }

  /** The key float at {@code index} (slot x width + dimension) of a layer. */
  float key(int layer, int index) {
    return floats.get(2 * layer * part + index);
  }

  float value(int layer, int index) {
    return floats.get((2 * layer + 1) * part + index);
  }

  void store(int layer, int slot, float[] k, float[] v, int width) {
    floats.put(2 * layer * part + slot * width, k, 0, width);
    floats.put((2 * layer + 1) * part + slot * width, v, 0, width);
  }

  void markFilled(int slots) {
    filled = slots;
  }

  /** Copies every float into {@code out} at its position, as the payload lays them out. */
  void writeTo(ByteBuffer out) {
    out.put(bytes.duplicate().clear());
  }

  /** Fills the page from {@code in}'s next {@link #byteSize} bytes. */
  void readFrom(ByteBuffer in) {
    bytes.duplicate().clear().put(in);
  }
}
