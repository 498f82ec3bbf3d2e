package io.baton.workers.agent;

import io.baton.workers.engine.Tokenizer;
import java.util.List;

/**
 * Watches the generated text for the session's stop sequences, token by token. Only the generated
 * text counts, not the prompt; a sequence may span tokens, and on a resume the durable tokens are
 * read first, so an attempt stops where an uninterrupted run would.
 */
final class StopSequences {
  private final Tokenizer tokenizer;
  private final List<String> stops;
  private final int keep;
  private final StringBuilder tail = new StringBuilder();

  StopSequences(Tokenizer tokenizer, List<String> stops, List<Integer> durable) {
    this.tokenizer = tokenizer;
    this.stops = stops;
    this.keep = stops.stream().mapToInt(String::length).max().orElse(0);
    if (!stops.isEmpty() && !durable.isEmpty()) {
      tail.append(tokenizer.decode(durable.subList(Math.max(0, durable.size() - keep), durable.size())));
      trim();
    }
  }

  /** Whether the text now contains a stop sequence, with {@code token} the latest generated token. */
  boolean reached(int token) {
    if (stops.isEmpty()) {
      return false;
    }
    tail.append(tokenizer.decode(List.of(token)));
    for (String stop : stops) {
      if (tail.indexOf(stop) >= 0) {
        return true;
      }
    }
    trim();
    return false;
  }

  /** Keeps the last keep-1 characters: enough for a sequence that the next token completes. */
  private void trim() {
    int excess = tail.length() - Math.max(0, keep - 1);
    if (excess > 0) {
      tail.delete(0, excess);
    }
  }
}
