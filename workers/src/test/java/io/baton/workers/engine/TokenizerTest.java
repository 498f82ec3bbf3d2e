package io.baton.workers.engine;

import static io.baton.workers.engine.Models.SAMPLED;
import static io.baton.workers.engine.Models.SMALL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class TokenizerTest {
  private final Tokenizer tokenizer = new ReferenceTokenizer(256);

  private static boolean printable(String s) {
    return s.chars().allMatch(c -> c == '\n' || (c >= 32 && c < 127));
  }

  @Test
  void textRoundTrips() {
    for (String text :
        List.of(
            "Hello, Baton! The GPU fell off the bus; resume the stream.",
            "a",
            "",
            "  {\"model\": \"baton-small\", \"n\": 42}\n\nx -> y == z...",
            "~`|^_@#$%&*+<>[]\\")) {
      assertEquals(text, tokenizer.decode(tokenizer.encode(text)), text);
    }
  }

  @Test
  void commonWordsAreSingleTokens() {
    Tokenizer full = new ReferenceTokenizer(ReferenceTokenizer.MAX_VOCAB);
    String text = "the model and the cache";
    assertTrue(full.encode(text).length < text.length() / 2);
    assertEquals(1, full.encode(" through").length);
    // A smaller vocabulary lacks the later pieces but still spells everything.
    assertTrue(tokenizer.encode(text).length > full.encode(text).length);
    assertEquals(text, tokenizer.decode(tokenizer.encode(text)));
  }

  @Test
  void everyPieceIsPrintable() {
    for (int vocab : List.of(ReferenceTokenizer.MIN_VOCAB, 256, ReferenceTokenizer.MAX_VOCAB)) {
      Tokenizer t = new ReferenceTokenizer(vocab);
      String all = t.decode(IntStream.range(0, vocab).toArray());
      assertTrue(printable(all));
    }
  }

  @Test
  void modelOutputDecodesToPrintableText() {
    ReferenceEngine engine = ReferenceEngine.of(SMALL, 0);
    Tokenizer t = engine.tokenizer();
    Generation g = engine.start(GenerationRequest.fresh(t.encodeToList("Once upon a time"), SAMPLED));
    String text = t.decode(Models.generate(g, 64));
    assertTrue(printable(text), text);
    assertTrue(text.length() >= 64);
  }

  @Test
  void unknownCharactersBecomeQuestionMarksAndBadIdsAreRejected() {
    assertEquals("caf? ?", tokenizer.decode(tokenizer.encode("café \t")));
    assertThrows(IllegalArgumentException.class, () -> tokenizer.decode(new int[] {256}));
    assertThrows(IllegalArgumentException.class, () -> new ReferenceTokenizer(95));
    assertThrows(
        IllegalArgumentException.class, () -> new ReferenceTokenizer(ReferenceTokenizer.MAX_VOCAB + 1));
  }
}
