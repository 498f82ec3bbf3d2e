package io.baton.workers.agent;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.workers.engine.ReferenceTokenizer;
import io.baton.workers.engine.Tokenizer;
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
}
