package io.baton.actors.app;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Decodes a stream of token ids to text as it grows, for tokenizers whose tokens are not whole
 * pieces of text: byte-level BPE splits one character over several tokens, and SentencePiece drops
 * a token's leading space when it is decoded alone. Each step decodes a short window of recent
 * tokens twice, with and without the new ones, and emits the difference once it no longer ends in
 * an incomplete character (U+FFFD). This is the method vLLM's detokenizer uses (prefix and read
 * offsets), so the text equals the whole sequence decoded at once. A pure function of the tokens:
 * a decoder primed with a stream's earlier tokens emits what the uninterrupted one would have.
 */
public final class IncrementalDecoder implements StreamDecoder {
  /** Tokens of context kept before the unread ones: enough for any tokenizer's merge of a space or a byte. */
  private static final int WINDOW = 6;
  private static final char INCOMPLETE = '\uFFFD';

  private final Function<List<Integer>, String> decode;
  private final List<Integer> tokens = new ArrayList<>();
  private int prefixOffset;
  private int readOffset;

  public IncrementalDecoder(Function<List<Integer>, String> decode, List<Integer> before) {
    this.decode = decode;
    before.forEach(this::next);
  }

  @Override
  public String next(int token) {
    tokens.add(token);
    String prefix = decode.apply(tokens.subList(prefixOffset, readOffset));
    String text = decode.apply(tokens.subList(prefixOffset, tokens.size()));
    if (text.length() <= prefix.length() || text.charAt(text.length() - 1) == INCOMPLETE) {
      return "";
    }
    readOffset = tokens.size();
    prefixOffset = Math.max(0, readOffset - WINDOW);
    // The window moved: drop what it will never look at again, so a long stream holds only its tail.
    if (prefixOffset > 0) {
      tokens.subList(0, prefixOffset).clear();
      readOffset -= prefixOffset;
      prefixOffset = 0;
    }
    return text.substring(prefix.length());
  }

  @Override
  public String flush() {
    String prefix = decode.apply(tokens.subList(prefixOffset, readOffset));
    String text = decode.apply(tokens.subList(prefixOffset, tokens.size()));
    readOffset = tokens.size();
    return text.length() > prefix.length() ? text.substring(prefix.length()) : "";
  }
}
