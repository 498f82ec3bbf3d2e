package io.baton.http.responses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.baton.actors.app.ModelCatalog;
import io.baton.actors.session.ResponseSpec;
import io.baton.actors.session.ResumeMethod;
import io.baton.actors.session.SessionEvent;
import io.baton.actors.session.SessionSpec;
import io.baton.actors.session.SessionState;
import io.baton.http.Json;
import io.baton.http.errors.ApiException;
import io.baton.http.metrics.HttpMetrics;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

/** The closing events' numbers and shapes, the resume cursor's bounds, and input_items pages. */
class ResponseStreamTest {
  static final String ID = "resp_0123456789abcdef0123456789abcdef";
  static final ModelCatalog.TextCodec LETTERS = new ModelCatalog.TextCodec() {
    @Override
    public List<Integer> encode(String text) {
      return text.chars().boxed().toList();
    }

    @Override
    public String decode(List<Integer> tokens) {
      return tokens.stream().map(t -> String.valueOf((char) (int) t)).collect(Collectors.joining());
    }
  };

  static SessionState state(String finish, int inputs) {
    List<ResponseSpec.InputItem> input = new ArrayList<>();
    for (int i = 0; i < inputs; i++) {
      input.add(new ResponseSpec.InputItem("user", List.of("m" + i)));
    }
    SessionSpec spec = new SessionSpec("m", List.of(1, 2), new SessionSpec.Sampling(1, 1, 3), 3, "t", 0, null,
        List.of(), SessionSpec.Api.RESPONSE, new ResponseSpec(null, input, Map.of(), true, true, null));
    SessionState s = SessionState.empty(ID).apply(new SessionEvent.Submitted(ID, spec, Instant.EPOCH))
        .apply(new SessionEvent.Placed(1, "gpu", 0, ResumeMethod.FRESH, Instant.EPOCH))
        .apply(new SessionEvent.TokensAppended(1, 0, LETTERS.encode("abc"), Instant.EPOCH, 2));
    return finish == null ? s : s.apply(new SessionEvent.Completed(finish, null, Instant.EPOCH));
  }

  static List<JsonNode> data(List<ByteString> frames) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    for (ByteString f : frames) {
      String text = f.utf8String();
      out.add(Json.MAPPER.readTree(text.substring(text.indexOf("data: ") + 6).trim()));
    }
    return out;
  }

  @Test
  void theClosingEventsFollowTheLastTokenAndTheHeldBackTail() throws Exception {
    List<JsonNode> events = data(ResponseStream.closingFrom(state("stop", 1), LETTERS, -1,
        HttpMetrics.Tracker.UNTRACKED));
    assertEquals(List.of("response.output_text.done", "response.content_part.done", "response.output_item.done",
        "response.completed"), events.stream().map(e -> e.get("type").asText()).toList());
    // 3 tokens: deltas 4..6, the tail's place 7, then 8..11.
    assertEquals(List.of(8L, 9L, 10L, 11L), events.stream().map(e -> e.get("sequence_number").asLong()).toList());
    assertEquals("abc", events.get(0).get("text").asText());
    assertEquals("abc", events.get(3).at("/response/output/0/content/0/text").asText());
    assertEquals(2, events.get(3).at("/response/usage/input_tokens_details/cached_tokens").asInt());
    assertEquals(11L, ResponseStream.lastSeq(state("stop", 1)));
  }

  @Test
  void aResponseCutByItsBoundIsIncompleteAndAResumeSkipsWhatTheClientHas() throws Exception {
    List<JsonNode> events = data(ResponseStream.closingFrom(state("length", 1), LETTERS, 9,
        HttpMetrics.Tracker.UNTRACKED));
    assertEquals(List.of("response.output_item.done", "response.incomplete"),
        events.stream().map(e -> e.get("type").asText()).toList());
    assertEquals("incomplete", events.get(0).at("/item/status").asText());
    assertEquals("max_output_tokens", events.get(1).at("/response/incomplete_details/reason").asText());
  }

  @Test
  void aCursorLiesBetweenTheStartAndTheLastEventSoFar() {
    SessionState running = state(null, 1);
    assertEquals(-1, ResponseCursor.after(Optional.empty(), Optional.empty(), running));
    assertEquals(6, ResponseCursor.after(Optional.of("6"), Optional.of("2"), running));
    assertEquals(2, ResponseCursor.after(Optional.empty(), Optional.of("2"), running), "Last-Event-ID");
    ApiException beyond = assertThrows(ApiException.class,
        () -> ResponseCursor.after(Optional.of("7"), Optional.empty(), running));
    assertEquals("starting_after", beyond.error().param());
    assertThrows(ApiException.class, () -> ResponseCursor.after(Optional.of("x"), Optional.empty(), running));
  }

  @Test
  void inputItemsPageNewestFirstByDefault() {
    SessionState s = state("stop", 3);
    JsonNode first = ResponseCursor.inputItems(s, Optional.of("2"), Optional.empty(), Optional.empty());
    assertEquals(List.of("m2", "m1"), texts(first));
    assertTrue(first.get("has_more").asBoolean());
    JsonNode next = ResponseCursor.inputItems(s, Optional.of("2"), Optional.empty(),
        Optional.of(first.get("last_id").asText()));
    assertEquals(List.of("m0"), texts(next));
    assertEquals(false, next.get("has_more").asBoolean());
    assertEquals(List.of("m0", "m1", "m2"),
        texts(ResponseCursor.inputItems(s, Optional.empty(), Optional.of("asc"), Optional.empty())));
    assertEquals("limit", assertThrows(ApiException.class,
        () -> ResponseCursor.inputItems(s, Optional.of("101"), Optional.empty(), Optional.empty())).error().param());
  }

  static List<String> texts(JsonNode list) {
    List<String> out = new ArrayList<>();
    list.get("data").forEach(item -> out.add(item.at("/content/0/text").asText()));
    return out;
  }
}
