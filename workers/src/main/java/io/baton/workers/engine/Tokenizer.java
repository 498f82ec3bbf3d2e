package io.baton.workers.engine;

import java.util.Arrays;
import java.util.List;

/** Text to token ids and back, for one model's vocabulary. */
public interface Tokenizer {
  int vocabSize();

  int[] encode(String text);

  /** @throws IllegalArgumentException for an id outside the vocabulary */
  String decode(int[] tokens);

  default List<Integer> encodeToList(String text) {
    return Arrays.stream(encode(text)).boxed().toList();
  }

  default String decode(List<Integer> tokens) {
    return decode(tokens.stream().mapToInt(Integer::intValue).toArray());
  }
}
