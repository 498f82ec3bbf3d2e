package io.baton.actors.session;

import java.util.AbstractList;
import java.util.Arrays;
import java.util.List;
import java.util.RandomAccess;

/**
 * The durable tokens of a session: an immutable list that appends in amortized O(1). Copying the
 * whole list on every TokensAppended made a 10,000-token session cost O(n²) to build and to replay.
 *
 * <p>Several TokenLogs may share one buffer. Each sees only its own first {@code size} slots, and
 * those are never written again; an append writes past the end only when no other TokenLog has
 * claimed those slots, and copies otherwise. So every TokenLog behaves as an immutable value, and
 * may be handed to other threads (message passing publishes the writes it can see).
 */
final class TokenLog extends AbstractList<Integer> implements RandomAccess {
  private static final TokenLog EMPTY = new TokenLog(new Buffer(new int[0]), 0);

  /** The shared storage and how far any TokenLog on it has claimed it. */
  private static final class Buffer {
    final int[] data;
    int claimed;

    Buffer(int[] data) {
      this.data = data;
    }
  }

  private final Buffer buffer;
  private final int size;

  private TokenLog(Buffer buffer, int size) {
    this.buffer = buffer;
    this.size = size;
  }

  static TokenLog of(List<Integer> tokens) {
    if (tokens instanceof TokenLog log) {
      return log;
    }
    return EMPTY.append(tokens);
  }

  static TokenLog empty() {
    return EMPTY;
  }

  TokenLog append(List<Integer> more) {
    int newSize = size + more.size();
    Buffer target;
    synchronized (buffer) {
      if (buffer.claimed == size && newSize <= buffer.data.length) {
        buffer.claimed = newSize;
        target = buffer;
      } else {
        target = new Buffer(Arrays.copyOf(buffer.data, Math.max(16, Math.max(newSize, size * 2))));
        target.claimed = newSize;
      }
    }
    for (int i = 0; i < more.size(); i++) {
      target.data[size + i] = more.get(i);
    }
    return new TokenLog(target, newSize);
  }

  @Override
  public Integer get(int index) {
    if (index < 0 || index >= size) {
      throw new IndexOutOfBoundsException("token " + index + " of " + size);
    }
    return buffer.data[index];
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public List<Integer> subList(int fromIndex, int toIndex) {
    // A copy, so a slice handed out (e.g. in a TokenUpdate) never pins or exposes the buffer.
    return List.copyOf(super.subList(fromIndex, toIndex));
  }
}
