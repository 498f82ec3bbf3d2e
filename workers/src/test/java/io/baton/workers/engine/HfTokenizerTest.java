package io.baton.workers.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * A model's own tokenizer.json, run by Hugging Face's tokenizers: here a byte-level BPE without
 * merges, so each UTF-8 byte is one token (id = the byte) and a character may span several tokens,
 * as in GPT-2, Llama 3 or Qwen.
 */
class HfTokenizerTest {
  static final Path BYTES_BPE = Path.of("src/test/resources/tokenizers/bytes-bpe.json");

  @Test
  void encodesToTheModelsIdsAndDecodesBack() {
    HfTokenizer tokenizer = HfTokenizer.load(BYTES_BPE);
    assertEquals(256, tokenizer.vocabSize());
    String text = "héllo wörld ✓";
    byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
    int[] expected = new int[utf8.length];
    for (int i = 0; i < utf8.length; i++) {
      expected[i] = utf8[i] & 0xff;
    }
    assertArrayEquals(expected, tokenizer.encode(text));
    assertEquals(text, tokenizer.decode(expected));
  }

  @Test
  void aCharacterCutBetweenTokensDecodesAsIncomplete() {
    HfTokenizer tokenizer = HfTokenizer.load(BYTES_BPE);
    int[] firstByteOfE = {0xc3};
    assertEquals("\uFFFD", tokenizer.decode(firstByteOfE));
  }

  @Test
  void anIdOutsideTheVocabularyIsRefusedByName() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> HfTokenizer.load(BYTES_BPE).decode(new int[] {256}));
    assertTrue(e.getMessage().contains("256") && e.getMessage().contains("bytes-bpe.json"), e.getMessage());
  }

  @Test
  void aMissingFileSaysWhereTheTokenizerShouldBe() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> HfTokenizer.load(Path.of("/nonexistent/tokenizer.json")));
    assertTrue(e.getMessage().contains("/nonexistent/tokenizer.json") && e.getMessage().contains("every node"),
        e.getMessage());
  }
}
