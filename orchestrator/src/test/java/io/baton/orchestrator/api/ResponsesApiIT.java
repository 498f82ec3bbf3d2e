package io.baton.orchestrator.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.baton.orchestrator.BatonNode;
import io.baton.orchestrator.TestNodes;
import io.baton.persistence.testing.CassandraTestExtension;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The Responses API over plain HTTP on a real node: every event and object in OpenAI's documented
 * shape, a stream resumed after any event equal to the rest of the uninterrupted one, cancel,
 * delete, store:false, tenancy and a conversation whose second turn reuses the first's KV blocks.
 */
@ExtendWith(CassandraTestExtension.class)
class ResponsesApiIT {
  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient HTTP = HttpClient.newHttpClient();
  static final String ALICE = "sk-alice";
  static final String BOB = "sk-bob";
  static BatonNode node;
  static OpenAiSchemas schemas;

  @BeforeAll
  static void start() throws Exception {
    schemas = OpenAiSchemas.load();
    node = TestNodes.start(TestNodes.nodeId("responses"), Map.of(
        "baton.http.api-keys", "alice:" + ALICE + ",bob:" + BOB,
        "baton.http.admin-token", "admin-responses",
        // 200 tokens take 2 s: long enough to cancel or drop a stream while it runs.
        "baton.workers.engine.timing.decode-per-token", "10ms"));
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  static String body(String input, int maxTokens, String extra) {
    return "{\"model\":\"baton-small\",\"input\":\"" + input + "\",\"max_output_tokens\":" + maxTokens
        + ",\"seed\":17,\"temperature\":0.9" + extra + "}";
  }

  static HttpResponse<String> send(String key, String method, String path, String body) throws Exception {
    HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(node.httpAddress() + path))
        .header("Authorization", "Bearer " + key).timeout(Duration.ofSeconds(60));
    r = body == null ? r.method(method, HttpRequest.BodyPublishers.noBody())
        : r.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
    return HTTP.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }

  static JsonNode ok(HttpResponse<String> r) throws Exception {
    assertEquals(200, r.statusCode(), r.body());
    return JSON.readTree(r.body());
  }

  /** Every event of a stream until it ends; {@code limit} events at most, then the connection is dropped. */
  static List<JsonNode> events(String path, String body, int limit) throws Exception {
    HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(node.httpAddress() + path))
        .header("Authorization", "Bearer " + ALICE);
    r = body == null ? r.GET() : r.header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    HttpResponse<InputStream> response = HTTP.send(r.build(), HttpResponse.BodyHandlers.ofInputStream());
    assertEquals(200, response.statusCode());
    List<JsonNode> out = new ArrayList<>();
    try (SseEvents sse = new SseEvents(response.body())) {
      SseEvents.Event e;
      while (out.size() < limit && (e = sse.next()) != null) {
        out.add(e.json());
      }
    }
    return out;
  }

  static List<Long> numbers(List<JsonNode> events) {
    return events.stream().map(e -> e.get("sequence_number").asLong()).toList();
  }

  static String text(List<JsonNode> events) {
    StringBuilder text = new StringBuilder();
    events.stream().filter(e -> e.get("type").asText().equals("response.output_text.delta"))
        .forEach(e -> text.append(e.get("delta").asText()));
    return text.toString();
  }

  @Test
  void everyEventAndObjectHasOpenAisDocumentedShape() throws Exception {
    List<JsonNode> events = events("/v1/responses", body("Shapes please", 24, ",\"stream\":true"), 1000);
    List<String> types = events.stream().map(e -> e.get("type").asText()).toList();
    assertEquals(List.of("response.created", "response.in_progress", "response.output_item.added",
        "response.content_part.added"), types.subList(0, 4));
    assertEquals(List.of("response.output_text.done", "response.content_part.done", "response.output_item.done"),
        types.subList(types.size() - 4, types.size() - 1));
    assertTrue(types.get(types.size() - 1).equals("response.completed")
        || types.get(types.size() - 1).equals("response.incomplete"), types.toString());
    for (JsonNode e : events) {
      schemas.check(e.get("type").asText(), e);
    }
    JsonNode last = events.get(events.size() - 1).get("response");
    schemas.check("usage", last.get("usage"));
    assertEquals(text(events), events.get(types.size() - 4).get("text").asText(), "the deltas make the text");
    List<Long> seq = numbers(events);
    for (int i = 1; i < seq.size(); i++) {
      assertTrue(seq.get(i) > seq.get(i - 1), "increasing: " + seq);
    }

    String id = last.get("id").asText();
    JsonNode retrieved = ok(send(ALICE, "GET", "/v1/responses/" + id, null));
    schemas.check("response", retrieved);
    assertEquals(last, retrieved, "the stored response is the one the stream ended with");
    schemas.check("input_items_list", ok(send(ALICE, "GET", "/v1/responses/" + id + "/input_items", null)));
    schemas.check("response_deleted", ok(send(ALICE, "DELETE", "/v1/responses/" + id, null)));
    assertEquals(404, send(ALICE, "GET", "/v1/responses/" + id, null).statusCode(), "deleted");
    assertEquals(404, send(ALICE, "DELETE", "/v1/responses/" + id, null).statusCode(), "deleted once");
  }

  @Test
  void aStreamResumedAfterAnyEventIsTheRestOfTheUninterruptedOne() throws Exception {
    List<JsonNode> first = events("/v1/responses", body("Resume me", 120, ",\"stream\":true,\"background\":true"), 15);
    String id = first.get(0).at("/response/id").asText();
    long lastSeen = numbers(first).get(first.size() - 1);
    // Dropped while it runs; resumed after the last event read.
    List<JsonNode> rest = events("/v1/responses/" + id + "?stream=true&starting_after=" + lastSeen, null, 1000);
    List<JsonNode> whole = events("/v1/responses/" + id + "?stream=true", null, 1000);
    List<JsonNode> joined = new ArrayList<>(first);
    joined.addAll(rest);
    assertEquals(whole, joined, "no gap, no duplicate, the same events");
    for (int cut : List.of(0, 3, 4, 40, numbers(whole).get(whole.size() - 2).intValue())) {
      List<JsonNode> after = events("/v1/responses/" + id + "?stream=true&starting_after=" + cut, null, 1000);
      assertEquals(whole.stream().filter(e -> e.get("sequence_number").asLong() > cut).toList(), after,
          "after event " + cut);
    }
    assertEquals(400, send(ALICE, "GET", "/v1/responses/" + id + "?stream=true&starting_after=100000", null)
        .statusCode());
  }

  @Test
  void aBackgroundResponseIsCancelledAndAForegroundOneCannotBe() throws Exception {
    JsonNode queued = ok(send(ALICE, "POST", "/v1/responses", body("Cancel me", 1000, ",\"background\":true")));
    String id = queued.get("id").asText();
    assertTrue(List.of("queued", "in_progress").contains(queued.get("status").asText()), queued.toString());
    JsonNode cancelled = ok(send(ALICE, "POST", "/v1/responses/" + id + "/cancel", null));
    assertEquals("cancelled", cancelled.get("status").asText());
    assertEquals("cancelled", ok(send(ALICE, "GET", "/v1/responses/" + id, null)).get("status").asText());
    assertEquals("cancelled", ok(send(ALICE, "POST", "/v1/responses/" + id + "/cancel", null)).get("status").asText(),
        "cancelling twice answers the final response");

    JsonNode foreground = ok(send(ALICE, "POST", "/v1/responses", body("Not me", 4, "")));
    HttpResponse<String> refused = send(ALICE, "POST", "/v1/responses/" + foreground.get("id").asText() + "/cancel",
        null);
    assertEquals(400, refused.statusCode(), refused.body());
  }

  @Test
  void aResponseBelongsToItsTenantAndAnUnstoredOneIsGoneOnceItEnds() throws Exception {
    JsonNode mine = ok(send(ALICE, "POST", "/v1/responses", body("Mine", 4, "")));
    String id = mine.get("id").asText();
    for (String[] probe : List.of(new String[] {"GET", ""}, new String[] {"GET", "/input_items"},
        new String[] {"POST", "/cancel"}, new String[] {"DELETE", ""})) {
      HttpResponse<String> r = send(BOB, probe[0], "/v1/responses/" + id + probe[1], null);
      assertEquals(404, r.statusCode(), probe[0] + probe[1] + ": " + r.body());
      assertEquals("invalid_request_error", JSON.readTree(r.body()).at("/error/type").asText());
    }
    HttpResponse<String> chained = send(BOB, "POST", "/v1/responses",
        body("Theirs", 4, ",\"previous_response_id\":\"" + id + "\""));
    assertEquals(404, chained.statusCode());
    assertEquals("previous_response_id", JSON.readTree(chained.body()).at("/error/param").asText());
    assertEquals(200, send(ALICE, "GET", "/v1/responses/" + id, null).statusCode(), "still there for its tenant");

    JsonNode unstored = ok(send(ALICE, "POST", "/v1/responses", body("Forget me", 4, ",\"store\":false")));
    assertTrue(List.of("completed", "incomplete").contains(unstored.get("status").asText()));
    assertEquals(404, send(ALICE, "GET", "/v1/responses/" + unstored.get("id").asText(), null).statusCode());
  }

  @Test
  void aSecondTurnContinuesTheFirstsTokensAndReportsThemCached() throws Exception {
    JsonNode first = ok(send(ALICE, "POST", "/v1/responses", "{\"model\":\"baton-small\",\"instructions\":"
        + "\"Answer at length\",\"input\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":"
        + "\"Tell me about GPUs\"}]}],\"max_output_tokens\":80,\"seed\":5}"));
    String id = first.get("id").asText();
    int history = first.at("/usage/input_tokens").asInt() + first.at("/usage/output_tokens").asInt();
    JsonNode second = ok(send(ALICE, "POST", "/v1/responses",
        body("And then?", 8, ",\"previous_response_id\":\"" + id + "\"")));
    assertEquals(id, second.get("previous_response_id").asText());
    assertTrue(second.at("/usage/input_tokens").asInt() > history, second.toString());
    int cached = second.at("/usage/input_tokens_details/cached_tokens").asInt();
    // Whole 16-token blocks of the earlier prompt and answer are reused; at most the last, partial one is not.
    assertTrue(cached > 0 && cached <= history && history - cached < 16, "cached " + cached + " of " + history);
    JsonNode items = ok(send(ALICE, "GET", "/v1/responses/" + second.get("id").asText() + "/input_items", null));
    assertEquals("And then?", items.at("/data/0/content/0/text").asText(), "only this turn's input");

    JsonNode running = ok(send(ALICE, "POST", "/v1/responses", body("Still going", 1000, ",\"background\":true")));
    HttpResponse<String> early = send(ALICE, "POST", "/v1/responses",
        body("Next", 4, ",\"previous_response_id\":\"" + running.get("id").asText() + "\""));
    assertEquals(400, early.statusCode(), early.body());
    ok(send(ALICE, "POST", "/v1/responses/" + running.get("id").asText() + "/cancel", null));
  }

  @Test
  void aChatCompletionIsNotAResponse() throws Exception {
    JsonNode chat = ok(send(ALICE, "POST", "/v1/chat/completions", "{\"model\":\"baton-small\",\"messages\":"
        + "[{\"role\":\"user\",\"content\":\"Hi\"}],\"max_tokens\":2}"));
    assertEquals(404, send(ALICE, "GET", "/v1/responses/" + chat.get("id").asText(), null).statusCode());
  }
}
