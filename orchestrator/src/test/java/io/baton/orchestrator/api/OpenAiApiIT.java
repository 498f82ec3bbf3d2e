package io.baton.orchestrator.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** OpenAI's inference endpoints over real HTTP, against a whole node on the real Cassandra. */
@ExtendWith(CassandraTestExtension.class)
class OpenAiApiIT {
  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient HTTP = HttpClient.newHttpClient();
  static BatonNode node;

  @BeforeAll
  static void start() throws Exception {
    node = TestNodes.start(TestNodes.nodeId("api"), Map.of(
        "baton.workers.engine.timing.decode-per-token", "2ms"));
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  static HttpResponse<String> post(String path, String body) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(node.httpAddress() + path))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aChatCompletionAnswersWithTheSessionIdAndUsage() throws Exception {
    HttpResponse<String> r = post("/v1/chat/completions",
        "{\"model\":\"baton-small\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}],\"max_tokens\":12,\"seed\":7}");
    assertEquals(200, r.statusCode(), r.body());
    JsonNode body = JSON.readTree(r.body());
    assertEquals("chat.completion", body.get("object").asText());
    assertEquals(body.get("id").asText(), r.headers().firstValue("x-baton-session-id").orElseThrow());
    assertEquals("length", body.at("/choices/0/finish_reason").asText());
    assertEquals(12, body.at("/usage/completion_tokens").asInt());
    assertEquals("assistant", body.at("/choices/0/message/role").asText());
  }

  @Test
  void aStreamSendsOneEventPerTokenThenDoneAndEqualsTheNonStreamedText() throws Exception {
    String request = "{\"model\":\"baton-small\",\"prompt\":\"The GPU\",\"max_tokens\":20,\"seed\":3,"
        + "\"temperature\":0.9%s}";
    HttpResponse<String> whole = post("/v1/completions", String.format(request, ""));
    HttpResponse<String> streamed = post("/v1/completions",
        String.format(request, ",\"stream\":true,\"stream_options\":{\"include_usage\":true}"));
    assertEquals(200, streamed.statusCode(), streamed.body());
    List<String> data = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    for (String line : streamed.body().split("\n")) {
      if (line.startsWith("data: ")) {
        data.add(line.substring(6));
      } else if (line.startsWith("id: ")) {
        ids.add(line.substring(4));
      }
    }
    assertEquals("[DONE]", data.get(data.size() - 1));
    JsonNode usage = JSON.readTree(data.get(data.size() - 2));
    assertEquals(0, usage.get("choices").size(), "the usage chunk has empty choices");
    assertEquals(20, usage.at("/usage/completion_tokens").asInt());
    StringBuilder text = new StringBuilder();
    for (String d : data.subList(0, data.size() - 2)) {
      JsonNode chunk = JSON.readTree(d);
      assertEquals("text_completion", chunk.get("object").asText());
      text.append(chunk.at("/choices/0/text").asText());
    }
    assertEquals(JSON.readTree(whole.body()).at("/choices/0/text").asText(), text.toString(),
        "same seed, same text, streamed or not");
    assertEquals("0", ids.get(0));
    assertEquals("19", ids.get(19));
  }

  @Test
  void badRequestsGetOpenAiErrorObjects() throws Exception {
    HttpResponse<String> malformed = post("/v1/chat/completions", "{not json");
    assertEquals(400, malformed.statusCode());
    assertEquals("invalid_request_error", JSON.readTree(malformed.body()).at("/error/type").asText());
    HttpResponse<String> unknown = post("/v1/completions", "{\"model\":\"gpt-9\",\"prompt\":\"x\"}");
    assertEquals(404, unknown.statusCode());
    assertEquals("model_not_found", JSON.readTree(unknown.body()).at("/error/code").asText());
    HttpResponse<String> badParam = post("/v1/completions", "{\"model\":\"baton-small\",\"prompt\":\"x\",\"temperature\":7}");
    assertEquals(400, badParam.statusCode());
    assertEquals("temperature", JSON.readTree(badParam.body()).at("/error/param").asText());
    HttpResponse<String> models = HTTP.send(HttpRequest.newBuilder(URI.create(node.httpAddress() + "/v1/models")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals("baton-small", JSON.readTree(models.body()).at("/data/0/id").asText());
    assertNotNull(JSON.readTree(models.body()).get("object"));
    assertTrue(models.statusCode() == 200);
  }

  @Test
  void aStopSequenceEndsTheSessionWhereTheTextContainsIt() throws Exception {
    String request = "{\"model\":\"baton-small\",\"prompt\":\"Once\",\"max_tokens\":40,\"seed\":11%s}";
    String full = JSON.readTree(post("/v1/completions", String.format(request, "")).body()).at("/choices/0/text").asText();
    String stop = full.substring(12, 15);
    HttpResponse<String> r = post("/v1/completions",
        String.format(request, ",\"stop\":[" + JSON.writeValueAsString(stop) + "]"));
    JsonNode body = JSON.readTree(r.body());
    assertEquals(full.substring(0, full.indexOf(stop)), body.at("/choices/0/text").asText());
    assertEquals("stop", body.at("/choices/0/finish_reason").asText());
    String id = body.get("id").asText();
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() ->
        "completed".equals(session(id).get("status").asText()));
    JsonNode session = session(id);
    assertEquals("stop", session.get("end_reason").asText(), "the worker itself stopped at the sequence");
    assertTrue(session.get("tokens").asInt() < 40);
  }

  @Test
  void theEventHistoryIsTheJournalInOrder() throws Exception {
    HttpResponse<String> r = post("/v1/chat/completions",
        "{\"model\":\"baton-small\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"max_tokens\":20}");
    String id = JSON.readTree(r.body()).get("id").asText();
    JsonNode events = JSON.readTree(HTTP.send(HttpRequest.newBuilder(
        URI.create(node.httpAddress() + "/v1/sessions/" + id + "/events")).build(), HttpResponse.BodyHandlers.ofString()).body());
    JsonNode data = events.get("data");
    assertEquals("Submitted", data.get(0).get("type").asText());
    assertEquals("Placed", data.get(1).get("type").asText());
    assertEquals("FRESH", data.get(1).at("/summary/method").asText());
    assertEquals("Completed", data.get(data.size() - 1).get("type").asText());
    int tokens = 0;
    for (int i = 0; i < data.size(); i++) {
      assertEquals(i + 1, data.get(i).get("seq_nr").asInt(), "every event, in journal order");
      if (data.get(i).get("type").asText().equals("TokensAppended")) {
        assertEquals(tokens, data.get(i).at("/summary/from_index").asInt(), "contiguous chunks");
        tokens += data.get(i).at("/summary/tokens").asInt();
      }
    }
    assertEquals(20, tokens);
    HttpResponse<String> unknown = HTTP.send(HttpRequest.newBuilder(
        URI.create(node.httpAddress() + "/v1/sessions/chatcmpl-nope/events")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(404, unknown.statusCode());
  }

  static JsonNode session(String id) throws Exception {
    return JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(node.httpAddress() + "/v1/sessions/" + id)).build(),
        HttpResponse.BodyHandlers.ofString()).body());
  }
}
