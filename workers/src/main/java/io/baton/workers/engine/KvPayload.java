package io.baton.workers.engine;

import java.nio.ByteBuffer;

/**
 * The reference engine's block payload: a small header, then per layer the keys and the values of
 * 16 tokens as big-endian IEEE floats. Floats are copied bit for bit, so a restored block holds
 * exactly what recomputing it would give.
 */
final class KvPayload {
  private static final int MAGIC = 0x424b5631; // "BKV1"
  private static final int HEADER_BYTES = 12;

  private KvPayload() {}

  static byte[] encode(KvPage page, int layers, int width) {
    ByteBuffer buf = ByteBuffer.allocate(HEADER_BYTES + KvPage.byteSize(layers, width));
    buf.putInt(MAGIC).putInt(layers).putInt(width);
    page.writeTo(buf);
    return buf.array();
  }

  static KvPage decode(byte[] payload, int layers, int width) {
    int expected = HEADER_BYTES + KvPage.byteSize(layers, width);
    ByteBuffer buf = ByteBuffer.wrap(payload);
    if (payload.length != expected
        || buf.getInt() != MAGIC
        || buf.getInt() != layers
        || buf.getInt() != width) {
      throw new IllegalArgumentException(
          "KV payload does not fit a model with " + layers + " layers of width " + width);
    }
    KvPage page = new KvPage(layers, width);
    page.readFrom(buf);
    page.markFilled(BlockHash.BLOCK_TOKENS);
    return page;
  }
}
