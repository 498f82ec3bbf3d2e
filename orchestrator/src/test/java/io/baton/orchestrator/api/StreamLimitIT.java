package io.baton.orchestrator.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.baton.orchestrator.BatonNode;
import io.baton.orchestrator.TestNodes;
import io.baton.persistence.testing.CassandraTestExtension;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A key over its open-request limit gets 429 with Retry-After; a key of its own is unaffected; with
 * on-disconnect = cancel a dropped stream cancels its session.
 */
@ExtendWith(CassandraTestExtension.class)
class StreamLimitIT {
  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient HTTP = HttpClient.newHttpClient();

  static HttpRequest request(BatonNode node, String key, boolean stream, int maxTokens) {
    return HttpRequest.newBuilder(URI.create(node.httpAddress() + "/v1/completions"))
        .header("Content-Type", "application/json").header("Authorization", "Bearer " + key)
        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"baton-small\",\"prompt\":\"x\",\"max_tokens\":" + maxTokens
            + ",\"stream\":" + stream + "}")).build();
  }

  @Test
  void aSecondOpenRequestOfOneKeyIsRefusedUntilTheFirstEnds() throws Exception {
    try (BatonNode node = TestNodes.start(TestNodes.nodeId("limit"), Map.of(
        "baton.http.api-keys", "alice:sk-a,bob:sk-b",
        "baton.http.admin-token", "admin-secret",
        "baton.http.limits.max-streams-per-key", 1,
        "baton.http.on-disconnect", "cancel",
        "baton.workers.engine.timing.decode-per-token", "20ms"))) {
      HttpResponse<InputStream> open = HTTP.send(request(node, "sk-a", true, 200), HttpResponse.BodyHandlers.ofInputStream());
      assertEquals(200, open.statusCode());
      HttpResponse<String> refused = HTTP.send(request(node, "sk-a", false, 4), HttpResponse.BodyHandlers.ofString());
      assertEquals(429, refused.statusCode());
      assertEquals("1", refused.headers().firstValue("Retry-After").orElseThrow());
      assertEquals("rate_limit_exceeded", JSON.readTree(refused.body()).at("/error/code").asText());
      assertEquals(200, HTTP.send(request(node, "sk-b", false, 4), HttpResponse.BodyHandlers.ofString()).statusCode(),
          "another key has its own limit");
      HttpResponse<String> noKey = HTTP.send(HttpRequest.newBuilder(URI.create(node.httpAddress() + "/v1/models")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(401, noKey.statusCode());
      try (InputStream body = open.body()) {
        body.readAllBytes(); // the stream runs to its end, which frees alice's slot
      }
      // on-disconnect = cancel: a client that goes away mid-stream cancels its session.
      HttpResponse<InputStream> dropped = HTTP.send(request(node, "sk-b", true, 400), HttpResponse.BodyHandlers.ofInputStream());
      String sessionId = dropped.headers().firstValue("x-baton-session-id").orElseThrow();
      InputStream partial = dropped.body();
      partial.read(new byte[64]);
      partial.close();
      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).until(() -> {
        HttpResponse<String> view = HTTP.send(HttpRequest.newBuilder(URI.create(node.httpAddress() + "/v1/sessions/"
            + sessionId)).header("Authorization", "Bearer sk-b").build(), HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(view.body()).get("status").asText().equals("cancelled");
      });
      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() ->
          HTTP.send(request(node, "sk-a", false, 4), HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
    }
  }
}
