package io.baton.workers.agent;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.workers.engine.HfTokenizer;
import io.baton.workers.engine.ReferenceTokenizer;
import io.baton.workers.engine.Tokenizer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class StopSequencesTest {
  private final Tokenizer tokenizer = new ReferenceTokenizer(ReferenceTokenizer.MIN_VOCAB);

  private List<Integer> tokens(String text) {
    return tokenizer.encodeToList(text);
  }

  @Test
  void aSequenceSpanningTokensStopsAtTheTokenThatCompletesIt() {
    StopSequences stops = new StopSequences(tokenizer, List.of("END"), List.of());
    List<Integer> text = tokens("abEN");
    for (int t : text) {
      assertFalse(stops.reached(t));
    }
    assertTrue(stops.reached(tokens("D").get(0)));
  }

  @Test
  void durableTokensCountOnAResumeButThePromptNever() {
    StopSequences resumed = new StopSequences(tokenizer, List.of("xyz"), tokens("..xy"));
    assertTrue(resumed.reached(tokens("z").get(0)), "the sequence began before the resume");
    StopSequences none = new StopSequences(tokenizer, List.of(), tokens("xyz"));
    assertFalse(none.reached(tokens("x").get(0)));
  }

  @Test
  void textWithoutTheSequenceNeverStops() {
    StopSequences stops = new StopSequences(tokenizer, List.of("\n\n", "STOP"), List.of());
    for (int t : tokens("a long text\nwith STO and P but no sequence")) {
      assertFalse(stops.reached(t));
    }
  }

  @Test
  void aCharacterSpreadOverSeveralTokensOfAModelsOwnTokenizerIsFound() {
    // A byte-level BPE: 京 is three tokens, none of which decodes to anything alone.
    Tokenizer bytes = HfTokenizer.load(Path.of("src/test/resources/tokenizers/bytes-bpe.json"));
    StopSequences stops = new StopSequences(bytes, List.of("京"), List.of());
    int[] text = bytes.encode("東京");
    for (int i = 0; i < text.length - 1; i++) {
      assertFalse(stops.reached(text[i]), "before the last byte of 京");
    }
    assertTrue(stops.reached(text[text.length - 1]));
  }
}
