package io.baton.orchestrator.observe;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.baton.orchestrator.BatonNode;
import io.baton.orchestrator.TestNodes;
import io.baton.persistence.testing.CassandraTestExtension;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every metric, label and matched label value that ops/grafana/baton.json and
 * ops/prometheus/alerts.yaml use is on a real node's /metrics, once the node has done what they
 * watch: streamed completions (request, first-token and inter-token timers), an XID on a streaming
 * GPU (XIDs, a migration, resumed tokens) and an operator's preemption. A renamed meter or label
 * fails here instead of leaving an empty panel or an alert that never fires.
 */
@ExtendWith(CassandraTestExtension.class)
class MetricsContractIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final Duration DEADLINE = Duration.ofSeconds(30);
  private static final String REQUEST =
      "{\"model\":\"baton-small\",\"prompt\":\"Watch me\",\"max_tokens\":120,\"seed\":5,\"stream\":true}";

  @Test
  void theDashboardAndAlertsUseOnlyWhatANodeExports() throws Exception {
    List<String> expressions = MetricContract.expressions();
    assertTrue(expressions.size() > 20, "the dashboard and alerts were read: " + expressions.size());
    // 120 tokens at 20 ms: the stream still runs when the XID and the preemption arrive.
    try (BatonNode node = TestNodes.start(TestNodes.nodeId("metrics"),
        Map.of("baton.workers.engine.timing.decode-per-token", "20ms"))) {
      String xid = streamWhile(node, (id, gpu) -> assertEquals(202,
          post(node, "/admin/chaos/workers/" + gpu + "/xid", "{\"code\":13}").statusCode()));
      String preempted = streamWhile(node, (id, gpu) -> assertEquals(202,
          post(node, "/admin/sessions/" + id + "/preempt", "{\"reason\":\"metrics contract\"}").statusCode()));
      AtomicReference<String> text = new AtomicReference<>("");
      AtomicReference<List<String>> violations = new AtomicReference<>(List.of("not scraped yet"));
      // Counters of the events above are written as their consequences land (a migration is
      // counted when the session is placed again): scrape until the contract holds or time is up.
      try {
        await().atMost(DEADLINE).pollInterval(Duration.ofMillis(500)).until(() -> {
          text.set(get(node, "/metrics"));
          violations.set(MetricContract.violations(new Scrape(text.get()), expressions));
          return violations.get().isEmpty();
        });
      } catch (ConditionTimeoutException e) {
        // reported below, with what is missing
      }
      Files.writeString(Path.of("target", "metrics-contract-scrape.txt"), text.get());
      assertTrue(violations.get().isEmpty(), "the dashboard or the alerts use what the node does not export"
          + " (its scrape is in target/metrics-contract-scrape.txt):\n" + String.join("\n", violations.get()));
      assertTrue(text.get().contains("route=\"/v1/completions\",status=\"200\""),
          "requests are counted by route template and status");
      assertTrue(text.get().contains("route=\"/v1/sessions/{id}\""), "ids become {id} in the route tag");
      for (String id : List.of(xid, preempted)) {
        assertFalse(text.get().contains(id), "no session id is in a tag: " + id);
      }
    }
  }

  private interface During {
    void run(String sessionId, String gpu) throws Exception;
  }

  /**
   * Streams a completion, does {@code during} once 10 tokens arrived, and reads the stream to its
   * end; returns the session's id.
   */
  private static String streamWhile(BatonNode node, During during) throws Exception {
    HttpResponse<InputStream> stream = HTTP.send(HttpRequest.newBuilder(URI.create(node.httpAddress()
            + "/v1/completions")).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(REQUEST)).build(), HttpResponse.BodyHandlers.ofInputStream());
    assertEquals(200, stream.statusCode());
    String id = stream.headers().firstValue("x-baton-session-id").orElseThrow();
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
      int tokens = 0;
      String line;
      while (tokens < 10 && (line = lines.readLine()) != null) {
        tokens += line.startsWith("data: ") ? 1 : 0;
      }
      assertEquals(10, tokens, "the stream ended before 10 tokens");
      JsonNode session = JSON.readTree(get(node, "/v1/sessions/" + id));
      during.run(id, session.at("/attempts/0/worker").asText());
      boolean done = false;
      while (!done && (line = lines.readLine()) != null) {
        done = line.equals("data: [DONE]");
      }
      assertTrue(done, "the stream ends with [DONE]");
    }
    return id;
  }

  private static HttpResponse<String> post(BatonNode node, String path, String body) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(node.httpAddress() + path))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String get(BatonNode node, String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(node.httpAddress() + path)).build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }
}
