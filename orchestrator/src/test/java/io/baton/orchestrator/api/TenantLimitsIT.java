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
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Tenants' limits on a real node: tokens per minute and open requests answer 429 with Retry-After
 * and OpenAI's x-ratelimit-* headers and persist nothing; a request may lower its class, never
 * raise it; /admin/tenants shows each tenant's limits and use.
 */
@ExtendWith(CassandraTestExtension.class)
class TenantLimitsIT {
  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient HTTP = HttpClient.newHttpClient();
  static final String ADMIN = "admin-limits";
  static BatonNode node;

  @BeforeAll
  static void start() throws Exception {
    node = TestNodes.start(TestNodes.nodeId("limits"), Map.of(
        "baton.http.api-keys", "alice:sk-a,bob:sk-b,jobs:sk-j,carol:sk-c,dave:sk-d",
        "baton.tenants.dave.tokens-per-minute", 300,
        "baton.http.admin-token", ADMIN,
        "baton.tenants.alice.tokens-per-minute", 100,
        "baton.tenants.bob.max-concurrent", 1,
        "baton.tenants.jobs.class", "batch",
        // A 200-token stream lasts 2 s: bob's first request is still open when the second comes.
        "baton.workers.engine.timing.decode-per-token", "10ms"));
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  static HttpRequest.Builder request(String key, String path) {
    return HttpRequest.newBuilder(URI.create(node.httpAddress() + path)).timeout(Duration.ofSeconds(60))
        .header("Authorization", "Bearer " + key);
  }

  static HttpResponse<String> complete(String key, String body) throws Exception {
    return HTTP.send(request(key, "/v1/completions").header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  static double submitted() throws Exception {
    return metric("baton_sessions_submitted_total", "");
  }

  /** The sum of the samples whose line starts with {@code prefix} and contains {@code label}. */
  static double metric(String prefix, String label) throws Exception {
    String metrics = HTTP.send(request(ADMIN, "/metrics").GET().build(), HttpResponse.BodyHandlers.ofString()).body();
    return metrics.lines().filter(l -> l.startsWith(prefix) && l.contains(label))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
  }

  @Test
  void overItsTokensPerMinuteATenantGetsA429ThatSaysWhenAndNothingIsPersisted() throws Exception {
    String body = "{\"model\":\"baton-small\",\"prompt\":\"Count me\",\"max_tokens\":60,\"seed\":1}";
    assertEquals(200, complete("sk-a", body).statusCode());
    double before = submitted();
    HttpResponse<String> refused = complete("sk-a", body);
    assertEquals(429, refused.statusCode(), refused.body());
    assertEquals("rate_limit_exceeded", JSON.readTree(refused.body()).at("/error/code").asText());
    assertEquals("100", refused.headers().firstValue("x-ratelimit-limit-tokens").orElseThrow());
    long remaining = Long.parseLong(refused.headers().firstValue("x-ratelimit-remaining-tokens").orElseThrow());
    assertTrue(remaining < 60 + 2, "less than the request needs: " + remaining);
    long retryAfter = Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow());
    // 100 a minute refill 1.67 a second: the missing tokens take seconds, never more than the minute.
    assertTrue(retryAfter >= 1 && retryAfter <= 60, "Retry-After " + retryAfter);
    assertTrue(refused.headers().firstValue("x-ratelimit-reset-tokens").orElseThrow().endsWith("ms"));
    assertEquals(before, submitted(), "a refused request submits no session");
    assertTrue(metric("baton_requests_limited_total{limit=\"tokens\"", "tenant=\"alice\"") >= 1);
    HttpResponse<String> never = complete("sk-a", body.replace("60", "500"));
    assertEquals(400, never.statusCode(), "more than a minute's tokens can never pass: " + never.body());
    assertEquals("max_tokens", JSON.readTree(never.body()).at("/error/param").asText());
    assertEquals(200, complete("sk-c", body).statusCode(), "another tenant has its own bucket");
  }

  @Test
  void aRequestWithoutAnOutputBoundIsBoundedByItsTenantsMinute() throws Exception {
    HttpResponse<String> chat = HTTP.send(request("sk-d", "/v1/chat/completions").header("Content-Type",
        "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"baton-small\",\"messages\":"
            + "[{\"role\":\"user\",\"content\":\"No bound\"}]}")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, chat.statusCode(), "the default bound fits the minute rather than refusing: " + chat.body());
    JsonNode usage = JSON.readTree(chat.body()).get("usage");
    assertTrue(usage.get("total_tokens").asInt() <= 300, usage.toString());
  }

  @Test
  void aTenantAtItsOpenRequestsGetsA429WithRequestHeaders() throws Exception {
    HttpResponse<InputStream> open = HTTP.send(request("sk-b", "/v1/completions")
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
            "{\"model\":\"baton-small\",\"prompt\":\"Hold on\",\"max_tokens\":200,\"stream\":true}")).build(),
        HttpResponse.BodyHandlers.ofInputStream());
    try (SseEvents sse = new SseEvents(open.body())) {
      assertEquals(200, open.statusCode());
      sse.next(); // the stream is open and holds bob's one slot
      HttpResponse<String> second = complete("sk-b", "{\"model\":\"baton-small\",\"prompt\":\"Me too\",\"max_tokens\":2}");
      assertEquals(429, second.statusCode(), second.body());
      assertEquals("1", second.headers().firstValue("x-ratelimit-limit-requests").orElseThrow());
      assertEquals("0", second.headers().firstValue("x-ratelimit-remaining-requests").orElseThrow());
      assertEquals("1", second.headers().firstValue("Retry-After").orElseThrow());
      assertTrue(metric("baton_requests_limited_total{limit=\"requests\"", "tenant=\"bob\"") >= 1);
    }
  }

  @Test
  void aRequestMayLowerItsClassButNotRaiseIt() throws Exception {
    HttpResponse<String> raised = complete("sk-j", "{\"model\":\"baton-small\",\"prompt\":\"Now\",\"max_tokens\":2,"
        + "\"priority\":\"interactive\"}");
    assertEquals(400, raised.statusCode(), raised.body());
    assertEquals("priority", JSON.readTree(raised.body()).at("/error/param").asText());
    HttpResponse<String> lowered = complete("sk-j", "{\"model\":\"baton-small\",\"prompt\":\"Later\",\"max_tokens\":2,"
        + "\"priority\":\"background\"}");
    assertEquals(200, lowered.statusCode(), lowered.body());
    String id = JSON.readTree(lowered.body()).get("id").asText();
    JsonNode session = JSON.readTree(HTTP.send(request("sk-j", "/v1/sessions/" + id).GET().build(),
        HttpResponse.BodyHandlers.ofString()).body());
    assertEquals("background", session.get("class").asText());
    HttpResponse<String> bad = complete("sk-j", "{\"model\":\"baton-small\",\"prompt\":\"x\",\"priority\":\"urgent\"}");
    assertEquals("priority", JSON.readTree(bad.body()).at("/error/param").asText());
  }

  @Test
  void adminTenantsShowsLimitsAndUse() throws Exception {
    JsonNode list = JSON.readTree(HTTP.send(request(ADMIN, "/admin/tenants").GET().build(),
        HttpResponse.BodyHandlers.ofString()).body());
    JsonNode alice = null;
    JsonNode jobs = null;
    for (JsonNode row : list.get("data")) {
      if (row.get("tenant").asText().equals("alice")) {
        alice = row;
      } else if (row.get("tenant").asText().equals("jobs")) {
        jobs = row;
      }
    }
    assertEquals(100, alice.get("tokens_per_minute").asInt(), list.toString());
    assertTrue(alice.get("tokens_left").asInt() <= 100);
    assertEquals("batch", jobs.get("class").asText());
    assertEquals(401, HTTP.send(request("sk-a", "/admin/tenants").GET().build(),
        HttpResponse.BodyHandlers.ofString()).statusCode(), "an API key is not the admin token");
  }
}
