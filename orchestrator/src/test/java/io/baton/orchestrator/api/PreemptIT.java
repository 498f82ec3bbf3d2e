package io.baton.orchestrator.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
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
 * An operator preempts a running stream ({@code POST /admin/sessions/{id}/preempt}): its attempt
 * ends as PREEMPTED, it resumes on another GPU and the client's stream finishes token for token
 * equal to the uninterrupted run; the GPU it left stays in service and nothing counts as poison.
 */
@ExtendWith(CassandraTestExtension.class)
class PreemptIT {
  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient HTTP = HttpClient.newHttpClient();
  static final int MAX_TOKENS = 120;
  static final String REQUEST = "{\"model\":\"baton-small\",\"prompt\":\"Preempt me\",\"max_tokens\":" + MAX_TOKENS
      + ",\"seed\":31,\"temperature\":0.9%s}";
  static BatonNode node;

  @BeforeAll
  static void start() throws Exception {
    node = TestNodes.start(TestNodes.nodeId("preempt"), Map.of(
        // 120 tokens take 2.4 s: preempted while it runs.
        "baton.workers.engine.timing.decode-per-token", "20ms"));
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  static HttpResponse<String> post(String path, String body) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(node.httpAddress() + path)).timeout(Duration.ofSeconds(60))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static JsonNode get(String path) throws Exception {
    return JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(node.httpAddress() + path)).build(),
        HttpResponse.BodyHandlers.ofString()).body());
  }

  @Test
  void aPreemptedStreamResumesElsewhereExactlyAndBlamesNoOne() throws Exception {
    String reference = JSON.readTree(post("/v1/completions", String.format(REQUEST, "")).body())
        .at("/choices/0/text").asText();
    HttpResponse<InputStream> stream = HTTP.send(HttpRequest.newBuilder(URI.create(node.httpAddress()
        + "/v1/completions")).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
            String.format(REQUEST, ",\"stream\":true"))).build(), HttpResponse.BodyHandlers.ofInputStream());
    String id = stream.headers().firstValue("x-baton-session-id").orElseThrow();
    List<SseEvents.Event> events = new ArrayList<>();
    try (SseEvents sse = new SseEvents(stream.body())) {
      while (events.size() < 10) {
        SseEvents.Event e = sse.next();
        assertNotNull(e, "the stream ended early");
        events.add(e);
      }
      HttpResponse<String> preempted = post("/admin/sessions/" + id + "/preempt", "{\"reason\":\"make room\"}");
      assertEquals(202, preempted.statusCode(), preempted.body());
      String left = JSON.readTree(preempted.body()).get("worker").asText();
      events.addAll(sse.toDone());

      assertEquals(reference, SseEvents.text(events), "the client's stream is the uninterrupted text");
      JsonNode session = get("/v1/sessions/" + id);
      assertEquals("completed", session.get("status").asText(), session.toString());
      JsonNode first = session.at("/attempts/0");
      assertEquals(left, first.get("worker").asText());
      assertEquals("PREEMPTED", first.at("/failure/kind").asText(), session.toString());
      assertEquals("make room", first.at("/failure/detail").asText());
      JsonNode second = session.at("/attempts/1");
      assertNotEquals(left, second.get("worker").asText(), "resumed on another GPU");
      assertTrue(second.get("resume_from").asInt() >= 10, "kept what it had: " + second);
      JsonNode gpu = get("/admin/workers/" + left);
      assertEquals("active", gpu.get("state").asText(), "the GPU it left stays in service: " + gpu);
    }
  }

  @Test
  void onlyARunningSessionCanBePreemptedAndAReasonIsRequired() throws Exception {
    JsonNode done = JSON.readTree(post("/v1/completions", String.format(REQUEST, "").replace("120", "2")).body());
    String id = done.get("id").asText();
    assertEquals(409, post("/admin/sessions/" + id + "/preempt", "{\"reason\":\"x\"}").statusCode());
    assertEquals(400, post("/admin/sessions/" + id + "/preempt", "{}").statusCode());
    assertEquals(404, post("/admin/sessions/cmpl-00000000000000000000000000000000/preempt", "{\"reason\":\"x\"}")
        .statusCode());
    assertEquals(404, post("/admin/sessions/not-an-id/preempt", "{\"reason\":\"x\"}").statusCode());
  }
}
