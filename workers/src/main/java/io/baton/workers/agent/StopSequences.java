package io.baton.workers.agent;

import io.baton.workers.engine.Tokenizer;
import java.util.ArrayList;
import java.util.List;

/**
 * Watches the generated text for the session's stop sequences, token by token. Only the generated
 * text counts, not the prompt; a sequence may span tokens, and on a resume the durable tokens are
 * read first, so an attempt stops where an uninterrupted run would. The recent tokens are decoded
 * together, not one by one: a model's own tokenizer may split a character over several tokens or
 * drop a token's leading space when it stands alone. Checked at every token, a sequence is found
 * the first time it appears.
 */
final class StopSequences {
  private final Tokenizer tokenizer;
  private final List<String> stops;
  /** Enough tokens for the longest sequence even at four tokens per character, plus its leading context. */
  private final int window;
  private final List<Integer> recent = new ArrayList<>();

  StopSequences(Tokenizer tokenizer, List<String> stops, List<Integer> durable) {
    this.tokenizer = tokenizer;
    this.stops = stops;
    this.window = 4 * stops.stream().mapToInt(String::length).max().orElse(0) + 8;
    if (!stops.isEmpty()) {
      recent.addAll(durable.subList(Math.max(0, durable.size() - window), durable.size()));
    }
  }

  /** Whether the text now contains a stop sequence, with {@code token} the latest generated token. */
  boolean reached(int token) {
    if (stops.isEmpty()) {
      return false;
    }
    recent.add(token);
    if (recent.size() > window) {
      recent.remove(0);
    }
    String text = tokenizer.decode(recent);
    for (String stop : stops) {
      if (text.contains(stop)) {
        return true;
      }
    }
    return false;
  }
}
