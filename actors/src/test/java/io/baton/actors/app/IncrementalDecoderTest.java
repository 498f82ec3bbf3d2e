package io.baton.actors.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Streams decoded token by token, for a byte-level tokenizer (one UTF-8 byte per token): the text
 * equals the whole sequence decoded at once, no incomplete character is ever emitted mid-stream,
 * and a decoder primed with a stream's earlier tokens continues exactly as the uninterrupted one.
 */
class IncrementalDecoderTest {
  private static final Function<List<Integer>, String> BYTES = tokens -> {
    byte[] bytes = new byte[tokens.size()];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) (int) tokens.get(i);
    }
    return new String(bytes, StandardCharsets.UTF_8);
  };

  private static List<Integer> tokens(String text) {
    List<Integer> out = new ArrayList<>();
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      out.add(b & 0xff);
    }
    return out;
  }

  private static List<String> deltas(StreamDecoder decoder, List<Integer> tokens) {
    List<String> out = new ArrayList<>();
    tokens.forEach(t -> out.add(decoder.next(t)));
    out.add(decoder.flush());
    return out;
  }

  @Test
  void theStreamedTextIsTheWholeTextAndNeverAHalfCharacter() {
    String text = "naïve café, 東京 and 🎉 done — the end of a longer line than the window";
    List<String> deltas = deltas(new IncrementalDecoder(BYTES, List.of()), tokens(text));
    assertEquals(text, String.join("", deltas));
    deltas.forEach(d -> assertFalse(d.contains("\uFFFD"), d));
    // The four bytes of 🎉 come out as one piece, with the token that completes it.
    assertEquals("🎉", deltas.get(tokens("naïve café, 東京 and 🎉").size() - 1));
  }

  @Test
  void aPrimedDecoderContinuesExactlyAsTheUninterruptedOne() {
    List<Integer> all = tokens("東京 🎉 café");
    List<String> whole = deltas(new IncrementalDecoder(BYTES, List.of()), all);
    for (int cut = 0; cut <= all.size(); cut++) {
      List<String> resumed = deltas(new IncrementalDecoder(BYTES, all.subList(0, cut)), all.subList(cut, all.size()));
      assertEquals(whole.subList(cut, whole.size()), resumed, "resumed at token " + cut);
    }
  }

  @Test
  void bytesThatNeverCompleteACharacterComeOutAtTheEnd() {
    List<Integer> tokens = new ArrayList<>(tokens("ok "));
    tokens.add(0xe6); // the first of 東's three bytes, and then the stream ends
    List<String> deltas = deltas(new IncrementalDecoder(BYTES, List.of()), tokens);
    assertEquals("", deltas.get(3));
    assertEquals("\uFFFD", deltas.get(4));
  }
}
