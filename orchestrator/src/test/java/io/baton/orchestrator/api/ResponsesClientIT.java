package io.baton.orchestrator.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.baton.orchestrator.BatonNode;
import io.baton.orchestrator.TestNodes;
import io.baton.persistence.testing.CassandraTestExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The official OpenAI client library (Node, {@link OpenAiNodeClient#VERSION}), unmodified, against
 * the Responses API of a whole node on the real Cassandra: a plain and a streamed create, each
 * checked against the same request (same seed) sent by plain HTTP; a background stream dropped
 * mid-way and resumed with {@code retrieve(id, {stream, starting_after})}, checked against an
 * uninterrupted run; a background response cancelled; and a two-turn conversation by
 * {@code previous_response_id} whose second turn reuses the first's KV blocks.
 */
@ExtendWith(CassandraTestExtension.class)
class ResponsesClientIT {
  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient HTTP = HttpClient.newHttpClient();
  static final String SCRIPT = "responses.mjs";
  static final long SCRIPT_TIMEOUT_S = 120;
  static final int PLAIN_TOKENS = 24;
  static final String PLAIN = "{\"model\":\"baton-small\",\"instructions\":\"Be brief.\","
      + "\"input\":\"Hello from the Responses client\",\"max_output_tokens\":" + PLAIN_TOKENS
      + ",\"seed\":13,\"temperature\":0.8}";
  static final int STREAMED_TOKENS = 32;
  static final String STREAMED = "{\"model\":\"baton-small\",\"input\":[{\"role\":\"developer\",\"content\":"
      + "\"Answer in one line.\"},{\"type\":\"message\",\"role\":\"user\",\"content\":[{\"type\":\"input_text\","
      + "\"text\":\"Stream this to the SDK\"}]}],\"max_output_tokens\":" + STREAMED_TOKENS
      + ",\"seed\":17,\"temperature\":0.9,\"metadata\":{\"suite\":\"sdk\"}}";
  /** 120 tokens at 20 ms: the stream runs for over two seconds, so it is dropped and resumed while it runs. */
  static final int RESUMED_TOKENS = 120;
  static final int READ_BEFORE_DROP = 15;
  static final String RESUMED = "{\"model\":\"baton-small\",\"input\":\"Resume me through the SDK\","
      + "\"max_output_tokens\":" + RESUMED_TOKENS + ",\"seed\":21,\"temperature\":0.9}";
  /** 900 tokens take 18 s: cancelled right after it is created, it is still running. */
  static final int CANCELLED_TOKENS = 900;
  static final String CANCELLED = "{\"model\":\"baton-small\",\"input\":\"Cancel me\",\"max_output_tokens\":"
      + CANCELLED_TOKENS + ",\"seed\":3}";
  static final String FIRST_TURN = "{\"model\":\"baton-small\",\"instructions\":\"You remember names.\","
      + "\"input\":\"My name is Ada and I write programs for engines.\",\"max_output_tokens\":32,\"seed\":31}";
  static final String SECOND_TURN_INPUT = "What is my name?";
  static final String SECOND_TURN = "{\"model\":\"baton-small\",\"input\":\"" + SECOND_TURN_INPUT
      + "\",\"max_output_tokens\":16,\"seed\":32}";
  static final Set<String> ENDED = Set.of("completed", "incomplete");
  static BatonNode node;
  static OpenAiNodeClient client;

  @BeforeAll
  static void start() throws Exception {
    node = TestNodes.start(TestNodes.nodeId("oai-responses"), Map.of(
        "baton.workers.engine.timing.decode-per-token", "20ms"));
  }

  /** Each test, not the class, is skipped without Node.js and npm: surefire reports skipped tests only. */
  @BeforeEach
  void installClient() throws Exception {
    client = OpenAiNodeClient.install();
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.close();
    }
  }

  /** What the script saw, running only the parts given (the others null). */
  static JsonNode sdk(String plain, String streamed, String resumed, String cancel, String conversation)
      throws Exception {
    return JSON.readTree(client.run(SCRIPT, node.httpAddress() + "/v1",
        List.of(plain, streamed, resumed, cancel, conversation), SCRIPT_TIMEOUT_S));
  }

  static JsonNode post(String path, String body) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(node.httpAddress() + path))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    return JSON.readTree(r.body());
  }

  /** The text of the same request sent by plain HTTP, not streamed. */
  static String plainHttpText(String request) throws Exception {
    JsonNode response = post("/v1/responses", request);
    assertTrue(ENDED.contains(response.get("status").asText()), "the reference ended: " + response);
    String text = response.at("/output/0/content/0/text").asText();
    assertFalse(text.isEmpty(), "the reference answer has text: " + response);
    return text;
  }

  @Test
  void theOfficialClientCreatesAResponsePlainAndStreamedWithTheSameTextAsPlainHttp() throws Exception {
    JsonNode seen = sdk(PLAIN, STREAMED, "null", "null", "null");

    JsonNode plain = seen.get("plain");
    assertTrue(plain.get("id").asText().startsWith("resp_"), plain.toString());
    assertEquals("response", plain.get("object").asText());
    assertTrue(ENDED.contains(plain.get("status").asText()), "the plain response ended: " + plain);
    assertEquals(plainHttpText(PLAIN), plain.get("output_text").asText(),
        "output_text through the client = the text by plain HTTP, same seed");
    assertEquals(PLAIN_TOKENS, plain.at("/usage/output_tokens").asInt(), plain.toString());
    assertTrue(plain.at("/usage/input_tokens").asInt() > 0, plain.toString());
    assertEquals(plain.at("/usage/input_tokens").asInt() + PLAIN_TOKENS, plain.at("/usage/total_tokens").asInt());

    JsonNode streamed = seen.get("streamed");
    List<JsonNode> events = list(streamed.get("events"));
    List<String> types = events.stream().map(e -> e.get("type").asText()).toList();
    int n = types.size();
    assertTrue(n > 8, "opening, deltas and closing events: " + types);
    assertEquals(List.of("response.created", "response.in_progress", "response.output_item.added",
        "response.content_part.added"), types.subList(0, 4), types.toString());
    assertTrue(types.subList(4, n - 4).stream().allMatch("response.output_text.delta"::equals),
        "only deltas between the opening and the closing events: " + types);
    assertEquals(List.of("response.output_text.done", "response.content_part.done", "response.output_item.done"),
        types.subList(n - 4, n - 1), types.toString());
    String last = types.get(n - 1);
    assertTrue(last.equals("response.completed") || last.equals("response.incomplete"), types.toString());
    assertEquals(last, "response." + streamed.get("status").asText(), "the last event names the final status");
    assertStrictlyIncreasing(events);
    assertEquals(0, events.get(0).get("sequence_number").asLong(), "the first event is number 0");

    String reference = plainHttpText(STREAMED);
    String deltas = joinedDeltas(events);
    assertEquals(reference, deltas, "the streamed deltas through the client = the text by plain HTTP, same seed");
    assertEquals(deltas, streamed.get("text").asText());
    assertEquals(deltas, events.get(n - 4).get("text").asText(), "output_text.done carries the whole text");
    assertEquals(STREAMED_TOKENS, streamed.at("/usage/output_tokens").asInt(), streamed.toString());
    assertTrue(streamed.at("/usage/input_tokens").asInt() > 0, streamed.toString());

    JsonNode helper = streamed.get("helper");
    assertEquals(reference, helper.get("snapshot").asText(),
        "the client's stream helper builds the same text from the deltas into the item and part they name");
    assertEquals(reference, helper.get("output_text").asText(), "the helper's final response has the text");
    assertEquals(streamed.get("status").asText(), helper.get("status").asText());
  }

  @Test
  void aBackgroundStreamDroppedAndResumedThroughTheClientIsTheUninterruptedStream() throws Exception {
    JsonNode resumed = sdk("null", "null", "{\"request\":" + RESUMED + ",\"breakAfter\":" + READ_BEFORE_DROP + "}",
        "null", "null").get("resumed");
    String id = resumed.get("id").asText();
    assertTrue(id.startsWith("resp_"), resumed.toString());

    List<JsonNode> part1 = list(resumed.get("part1"));
    List<JsonNode> part2 = list(resumed.get("part2"));
    assertEquals(READ_BEFORE_DROP, part1.size(), "the client read this many before it dropped the stream");
    assertFalse(part2.isEmpty(), "the resumed stream has the rest");
    long lastSeq = resumed.get("lastSeq").asLong();
    assertEquals(part1.get(part1.size() - 1).get("sequence_number").asLong(), lastSeq);
    assertTrue(part2.get(0).get("sequence_number").asLong() > lastSeq,
        "the resumed stream starts after the last event read: " + part2.get(0) + " after " + lastSeq);
    assertTrue(Set.of("queued", "in_progress").contains(resumed.get("statusAtDrop").asText()),
        "the stream was dropped while the response ran on: " + resumed.get("statusAtDrop"));
    assertTrue(part2.stream().anyMatch(e -> e.get("type").asText().equals("response.output_text.delta")),
        "the resumed stream has text: " + part2);

    List<JsonNode> joined = new ArrayList<>(part1);
    joined.addAll(part2);
    assertStrictlyIncreasing(joined);
    List<JsonNode> reference = list(resumed.get("reference"));
    assertEquals(comparable(reference), comparable(joined),
        "dropped and resumed = the same request (same seed) streamed uninterrupted: nothing lost, nothing repeated");
    assertEquals(comparable(list(resumed.get("replay"))), comparable(joined),
        "dropped and resumed = the same response replayed from the start");
    for (JsonNode e : joined) {
      if (e.has("id")) {
        assertEquals(id, e.get("id").asText(), "every event is about the one response: " + e);
      }
    }
    assertEquals(1, joined.stream().filter(e -> e.has("item_id")).map(e -> e.get("item_id").asText())
        .distinct().count(), "one output item across the join: " + joined);

    String text = joinedDeltas(joined);
    assertFalse(text.isEmpty());
    assertEquals(joinedDeltas(reference), text);
    assertEquals(text, joined.get(joined.size() - 4).get("text").asText(), "output_text.done = the joined deltas");
    assertEquals(text, resumed.at("/retrieved/output_text").asText(), "retrieve(id) afterwards has the same text");
    assertEquals(resumed.at("/final/status").asText(), resumed.at("/retrieved/status").asText());
    assertTrue(ENDED.contains(resumed.at("/retrieved/status").asText()), resumed.get("retrieved").toString());
    assertTrue(resumed.at("/retrieved/background").asBoolean(), resumed.get("retrieved").toString());
    assertEquals(RESUMED_TOKENS, resumed.at("/retrieved/usage/output_tokens").asInt());
    assertEquals(text, plainHttpText(RESUMED), "the same request not streamed, not in the background, same seed");
  }

  @Test
  void theOfficialClientCancelsABackgroundResponse() throws Exception {
    JsonNode cancel = sdk("null", "null", "null", CANCELLED, "null").get("cancel");
    String id = cancel.get("id").asText();
    assertTrue(id.startsWith("resp_"), cancel.toString());
    assertTrue(Set.of("queued", "in_progress").contains(cancel.get("createdStatus").asText()),
        "a background create answers before the response has ended: " + cancel);
    assertEquals(id, cancel.get("cancelledId").asText());
    assertEquals("cancelled", cancel.get("cancelledStatus").asText(), "cancel answers with the cancelled response");
    JsonNode retrieved = cancel.get("retrieved");
    assertEquals("cancelled", retrieved.get("status").asText(), "retrieve after cancel: " + retrieved);
    assertTrue(retrieved.at("/usage/output_tokens").asInt() < CANCELLED_TOKENS,
        "it stopped before its end: " + retrieved);
  }

  @Test
  void aSecondTurnByPreviousResponseIdReusesTheFirstTurnsCache() throws Exception {
    JsonNode conversation = sdk("null", "null", "null", "null",
        "{\"first\":" + FIRST_TURN + ",\"second\":" + SECOND_TURN + "}").get("conversation");
    JsonNode first = conversation.get("first");
    JsonNode second = conversation.get("second");
    assertTrue(ENDED.contains(first.get("status").asText()), first.toString());
    assertTrue(ENDED.contains(second.get("status").asText()), second.toString());
    assertEquals(first.get("id").asText(), second.get("previous_response_id").asText());
    assertFalse(second.get("output_text").asText().isEmpty(), second.toString());

    int firstInput = first.at("/usage/input_tokens").asInt();
    int firstOutput = first.at("/usage/output_tokens").asInt();
    int secondInput = second.at("/usage/input_tokens").asInt();
    int cached = second.at("/usage/input_tokens_details/cached_tokens").asInt();
    assertTrue(firstOutput > 0, first.toString());
    assertTrue(secondInput > firstInput + firstOutput,
        "the second turn's prompt holds the first turn's prompt and answer, then its own input: " + second);
    assertTrue(cached > 0, "the second turn reuses the first turn's KV blocks: " + second.get("usage"));
    assertTrue(cached <= secondInput, "no more cached than input tokens: " + second.get("usage"));

    JsonNode newest = conversation.at("/secondInputItems/0");
    assertEquals("user", newest.get("role").asText(), conversation.get("secondInputItems").toString());
    assertEquals(SECOND_TURN_INPUT, newest.at("/content/0/text").asText(),
        "input_items lists the second turn's input, newest first");
  }

  private static List<JsonNode> list(JsonNode array) {
    List<JsonNode> out = new ArrayList<>();
    array.forEach(out::add);
    return out;
  }

  private static String joinedDeltas(List<JsonNode> events) {
    StringBuilder text = new StringBuilder();
    events.stream().filter(e -> e.get("type").asText().equals("response.output_text.delta"))
        .forEach(e -> text.append(e.get("delta").asText()));
    return text.toString();
  }

  private static void assertStrictlyIncreasing(List<JsonNode> events) {
    long previous = Long.MIN_VALUE;
    for (JsonNode e : events) {
      long seq = e.get("sequence_number").asLong();
      assertTrue(seq > previous, "sequence numbers strictly increase: " + seq + " after " + previous + " in " + events);
      previous = seq;
    }
  }

  /** An event as two runs of the same request should agree on it: everything but the response's id. */
  private static List<String> comparable(List<JsonNode> events) {
    return events.stream().map(e -> e.get("type").asText() + " #" + e.get("sequence_number").asLong()
        + (e.has("status") ? " status=" + e.get("status").asText() : "")
        + (e.has("delta") ? " delta=" + e.get("delta") : "")
        + (e.has("text") ? " text=" + e.get("text") : "")).toList();
  }
}
