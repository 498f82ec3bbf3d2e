package io.baton.persistence.files;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.NotUsed;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.util.ByteString;

/** Regroups a byte stream into pieces of exactly {@code size} bytes, the last one shorter. */
final class Rechunk {
  private Rechunk() {}

  static Flow<ByteString, ByteString, NotUsed> to(int size) {
    return Flow.<ByteString>create()
        .<ByteString, List<ByteString>>statefulMap(
            () -> ByteString.emptyByteString(),
            (pending, in) -> {
              ByteString all = pending.concat(in);
              List<ByteString> out = new ArrayList<>();
              while (all.size() >= size) {
                out.add(all.take(size).compact());
                all = all.drop(size);
              }
              return Pair.create(all, out);
            },
            pending -> pending.isEmpty() ? Optional.<List<ByteString>>empty() : Optional.of(List.of(pending.compact())))
        .mapConcat(pieces -> pieces);
  }
}
