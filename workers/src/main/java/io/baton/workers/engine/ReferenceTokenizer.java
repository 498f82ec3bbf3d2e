package io.baton.workers.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The reference engine's tokenizer: every printable ASCII character and the newline, then common
 * English pieces. Every piece is printable, so whatever the model emits decodes to printable text,
 * and any text made of those characters round-trips exactly. Other characters encode as '?'.
 *
 * <p>A model with vocabulary size n uses the first n pieces; single characters come first, so every
 * size from {@link #MIN_VOCAB} up can still spell any text.
 */
public final class ReferenceTokenizer implements Tokenizer {
  /** The newline and the 95 printable ASCII characters. */
  public static final int MIN_VOCAB = 96;

  private static final String[] EXTRA = {
    "th", "he", "in", "er", "an", "re", "on", "at", "en", "nd", "ti", "es", "or", "te", "of", "ed",
    "is", "it", "al", "ar", "st", "to", "nt", "ng", "se", "ha", "as", "ou", "io", "le", "ve", "co",
    "me", "de", "hi", "ri", "ro", "ic", "ne", "ea", "ra", "ce", "li", "ch", "ll", "be", "ma", "si",
    "om", "ur", "ing", "ion", "tion", "ly", "ment", "ness", "ed ", "er ", "es ", "s ", ", ", ". ",
    "\n\n", " the", " of", " and", " to", " in", " a", " is", " that", " for", " it", " as", " was",
    " with", " be", " by", " on", " not", " he", " this", " are", " or", " his", " from", " at",
    " which", " but", " have", " an", " had", " they", " you", " were", " their", " one", " all",
    " we", " can", " her", " has", " there", " been", " if", " more", " when", " will", " would",
    " who", " so", " no", " what", " up", " out", " about", " into", " than", " them", " only",
    " other", " time", " new", " some", " could", " these", " two", " may", " first", " then", " do",
    " any", " like", " my", " now", " over", " such", " our", " man", " me", " even", " most",
    " made", " after", " also", " did", " many", " before", " must", " through", " back", " years",
    " where", " much", " your", " way", " well", " down", " should", " because", " each", " just",
    " those", " people", " how", " too", " little", " state", " good", " very", " make", " world",
    " still", " own", " see", " men", " work", " long", " get", " here", " between", " both",
    " life", " being", " under", " never", " day", " same", " another", " know", " while", " last",
    " might", " us", " great", " old", " year", " off", " come", " since", " against", " go",
    " came", " right", " used", " take", " three", " GPU", " token", " model", " cache", " block",
    " Baton", " worker", " node", " stream", " resume", "Hello", "The", " The", " I", " It", "?\n",
    ".\n", " -", " (", "),", "'s", "n't", " \"", "\" ", ": ", "; ", "...", "  ", "    ", "==", "->",
  };

  /** The most pieces any model can use. */
  public static final int MAX_VOCAB = MIN_VOCAB + EXTRA.length;

  private final String[] pieces;
  private final Map<String, Integer> ids = new HashMap<>();
  private final int longest;

  public ReferenceTokenizer(int vocabSize) {
    if (vocabSize < MIN_VOCAB || vocabSize > MAX_VOCAB) {
      throw new IllegalArgumentException(
          "vocabulary size must be between " + MIN_VOCAB + " and " + MAX_VOCAB + ", was " + vocabSize);
    }
    List<String> all = new ArrayList<>(MAX_VOCAB);
    all.add("\n");
    for (char c = 32; c < 127; c++) {
      all.add(String.valueOf(c));
    }
    all.addAll(List.of(EXTRA));
    pieces = all.subList(0, vocabSize).toArray(String[]::new);
    int max = 1;
    for (int id = 0; id < pieces.length; id++) {
      if (ids.put(pieces[id], id) != null) {
        throw new IllegalStateException("duplicate piece '" + pieces[id] + "'");
      }
      max = Math.max(max, pieces[id].length());
    }
    longest = max;
  }

  @Override
  public int vocabSize() {
    return pieces.length;
  }

  /** Greedy longest match, which is enough for a vocabulary without merge rules. */
  @Override
  public int[] encode(String text) {
    int[] out = new int[text.length()];
    int n = 0;
    int at = 0;
    while (at < text.length()) {
      int len = Math.min(longest, text.length() - at);
      Integer id = null;
      for (; len > 1 && id == null; len--) {
        id = ids.get(text.substring(at, at + len));
      }
      if (id == null) {
        id = ids.getOrDefault(text.substring(at, at + 1), ids.get("?"));
      } else {
        len++; // the loop decremented once more after the hit
      }
      out[n++] = id;
      at += len;
    }
    return Arrays.copyOf(out, n);
  }

  @Override
  public String decode(int[] tokens) {
    StringBuilder sb = new StringBuilder();
    for (int id : tokens) {
      if (id < 0 || id >= pieces.length) {
        throw new IllegalArgumentException("token " + id + " is outside the vocabulary");
      }
      sb.append(pieces[id]);
    }
    return sb.toString();
  }
}
