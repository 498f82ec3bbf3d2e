package io.baton.actors.batch;

import io.baton.actors.CborSerializable;
import java.util.Base64;
import java.util.BitSet;
import java.util.Collection;

/**
 * An immutable set of 0-based line indexes of a batch's input file.
 *
 * <p>It is kept as the Base64 of a {@link BitSet} rather than as a list or an array: a 50,000-line
 * batch then snapshots in about 8 KB, each change costs one copy of those bytes rather than of a
 * list, and record equality still works (an array field would compare by identity). The encoding is
 * canonical because {@link BitSet#toByteArray()} drops trailing zero bytes.
 */
public record LineSet(String bits) implements CborSerializable {

  public static final LineSet EMPTY = new LineSet("");

  public LineSet {
    bits = bits == null ? "" : bits;
  }

  /** A fresh, mutable copy; decode once when checking many lines. */
  public BitSet toBitSet() {
    return BitSet.valueOf(Base64.getDecoder().decode(bits));
  }

  public boolean contains(int line) {
    return line >= 0 && toBitSet().get(line);
  }

  public int size() {
    return toBitSet().cardinality();
  }

  LineSet plus(Collection<Integer> lines) {
    if (lines.isEmpty()) {
      return this;
    }
    BitSet set = toBitSet();
    lines.forEach(set::set);
    return new LineSet(Base64.getEncoder().encodeToString(set.toByteArray()));
  }
}
