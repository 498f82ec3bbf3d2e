package io.baton.orchestrator.admin;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.baton.orchestrator.BatonNode;
import io.baton.orchestrator.FleetBootstrap;
import io.baton.orchestrator.TestNodes;
import io.baton.persistence.testing.CassandraTestExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The admin API and /metrics over real HTTP, against a whole node on the real Cassandra. The tests
 * share one node and run in order, because each leaves the fleet changed (the last takes a host
 * out for good); a second node, with an admin token and chaos off, checks the guards.
 */
@ExtendWith(CassandraTestExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AdminApiIT {
  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient HTTP = HttpClient.newHttpClient();
  static final Duration TIMEOUT = Duration.ofSeconds(60);
  static BatonNode node;
  static String nodeId;

  @BeforeAll
  static void start() throws Exception {
    nodeId = TestNodes.nodeId("admin");
    node = startNode(nodeId, Map.of());
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  static BatonNode startNode(String id, Map<String, Object> overrides) throws Exception {
    Map<String, Object> config = new HashMap<>(Map.of(
        "baton.workers.engine.timing.decode-per-token", "5ms",
        "baton.workers.engine.timing.prefill-per-token", "20us"));
    config.putAll(overrides);
    return TestNodes.start(id, config);
  }

  static String gpu(int host, int index) {
    return FleetBootstrap.workerId(FleetBootstrap.hostId(nodeId, host), index);
  }

  static HttpResponse<String> send(BatonNode on, String method, String path, String body, String token)
      throws Exception {
    return send(on.httpAddress(), method, path, body, token);
  }

  /** On the node's management port (pekko-management). */
  static HttpResponse<String> manage(BatonNode on, String method, String path, String token) throws Exception {
    return send(on.managementAddress(), method, path, null, token);
  }

  static HttpResponse<String> send(String base, String method, String path, String body, String token)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
        .header("Content-Type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> get(String path) throws Exception {
    return send(node, "GET", path, null, null);
  }

  static HttpResponse<String> post(String path, String body) throws Exception {
    return send(node, "POST", path, body, null);
  }

  static Map<String, JsonNode> workers() throws Exception {
    HttpResponse<String> r = get("/admin/workers");
    assertEquals(200, r.statusCode(), r.body());
    Map<String, JsonNode> rows = new HashMap<>();
    JSON.readTree(r.body()).get("data").forEach(row -> rows.put(row.get("id").asText(), row));
    return rows;
  }

  static long count(Map<String, JsonNode> rows, String state) {
    return rows.values().stream().filter(r -> r.get("state").asText().equals(state)).count();
  }

  /** An OpenAI error object with this status; returns its "error" member. */
  static JsonNode error(HttpResponse<String> r, int status) throws Exception {
    assertEquals(status, r.statusCode(), r.body());
    JsonNode error = JSON.readTree(r.body()).get("error");
    assertTrue(error != null && error.hasNonNull("message") && error.hasNonNull("type"), r.body());
    return error;
  }

  /** The sum of a metric's samples whose labels contain every fragment; -1 when there are none. */
  static double metric(String text, String name, String... labels) {
    double sum = -1;
    for (String line : text.split("\n")) {
      if (!line.startsWith(name + "{") && !line.startsWith(name + " ")) {
        continue;
      }
      if (List.of(labels).stream().allMatch(line::contains)) {
        sum = Math.max(sum, 0) + Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }

  @Test
  @Order(1)
  void listsEveryGpuThenACordonRecordsWhoAndWhyAndPromotesTheSpare() throws Exception {
    Map<String, JsonNode> rows = workers();
    assertEquals(4, rows.size(), rows.toString());
    assertEquals(3, count(rows, "active"), rows.toString());
    assertEquals("spare", rows.get(gpu(1, 1)).get("state").asText());
    JsonNode row = rows.get(gpu(0, 0));
    assertEquals(nodeId, row.get("node").asText());
    assertEquals(FleetBootstrap.hostId(nodeId, 0), row.get("host").asText());
    assertEquals("baton-small", row.get("model").asText());
    assertTrue(row.get("reason").asText().contains("registered"), row.toString());
    assertTrue(row.get("since").isTextual() && row.get("last_xid").isNull(), row.toString());
    assertEquals(0, row.get("active_sessions").asInt(-1));
    assertTrue(row.get("cached_kv_blocks").isInt(), row.toString());
    assertEquals("off", row.get("xid_signal").get("state").asText(), "no kernel-log watcher by default");
    assertEquals("in-process", row.get("engine").get("kind").asText(), "the dev fleet's engines run inside the node");

    HttpResponse<String> cordoned = post("/admin/workers/" + gpu(0, 0) + "/cordon",
        "{\"reason\":\"fan failure on the card\",\"by\":\"alice\"}");
    assertEquals(200, cordoned.statusCode(), cordoned.body());
    JsonNode after = JSON.readTree(cordoned.body());
    assertEquals("cordoned", after.get("state").asText());
    assertEquals("fan failure on the card", after.get("reason").asText());
    assertEquals("alice", after.get("changed_by").asText());
    assertEquals("cordoned", workers().get(gpu(0, 0)).get("state").asText(), "the list shows it too");
    await().atMost(TIMEOUT).until(() -> workers().get(gpu(1, 1)).get("state").asText().equals("active"));
    assertEquals("fleet-controller", workers().get(gpu(1, 1)).get("changed_by").asText());

    HttpResponse<String> uncordoned =
        post("/admin/workers/" + gpu(0, 0) + "/uncordon", "{\"reason\":\"fan replaced\"}");
    assertEquals(200, uncordoned.statusCode(), uncordoned.body());
    assertEquals("spare", JSON.readTree(uncordoned.body()).get("state").asText());
    assertEquals("admin", JSON.readTree(uncordoned.body()).get("changed_by").asText(), "by defaults to the admin");

    // The GPU's page keeps its story: registration, the cordon and the uncordon, each with who and why.
    JsonNode history = JSON.readTree(get("/admin/workers/" + gpu(0, 0)).body()).get("history");
    JsonNode cordon = history.get(history.size() - 2);
    JsonNode uncordon = history.get(history.size() - 1);
    assertEquals("cordoned", cordon.get("to").asText(), history.toString());
    assertEquals("alice", cordon.get("by").asText());
    assertEquals("fan failure on the card", cordon.get("reason").asText());
    assertEquals("cordoned", uncordon.get("from").asText());
    assertEquals("spare", uncordon.get("to").asText());
    assertEquals("fan replaced", uncordon.get("reason").asText());
  }

  @Test
  @Order(2)
  void badAdminRequestsGetOpenAiErrorsAndChangeNothing() throws Exception {
    String cordon = "/admin/workers/" + gpu(0, 1) + "/cordon";
    assertEquals("reason", error(post(cordon, "{}"), 400).get("param").asText());
    assertEquals("reason", error(post(cordon, "{\"reason\":\"  \",\"by\":\"bob\"}"), 400).get("param").asText());
    assertEquals("invalid_json", error(post(cordon, "{oops"), 400).get("code").asText());
    assertEquals("active", workers().get(gpu(0, 1)).get("state").asText(), "a refused cordon changes nothing");

    error(post("/admin/workers/no-such-gpu/cordon", "{\"reason\":\"x\"}"), 404);
    error(get("/admin/workers/no-such-gpu"), 404);
    assertEquals("gpu_not_found", error(post("/admin/chaos/workers/no-such-gpu/xid", "{\"code\":79}"), 404)
        .get("code").asText());
    assertEquals("code", error(post("/admin/chaos/workers/" + gpu(0, 1) + "/xid", "{\"code\":\"x\"}"), 400)
        .get("param").asText());
    String spare = workers().values().stream().filter(r -> r.get("state").asText().equals("spare"))
        .findFirst().orElseThrow().get("id").asText();
    assertEquals("illegal_state", error(post("/admin/workers/" + spare + "/drain", "{\"reason\":\"r\"}"), 409)
        .get("code").asText());
    assertEquals("unknown_url", error(get("/admin/nothing-here"), 404).get("code").asText());
  }

  @Test
  @Order(3)
  void aStreamedCompletionShowsUpInTheMetrics() throws Exception {
    HttpResponse<String> r = post("/v1/completions",
        "{\"model\":\"baton-small\",\"prompt\":\"The GPU\",\"max_tokens\":40,\"stream\":true,\"seed\":5}");
    assertEquals(200, r.statusCode(), r.body());
    assertTrue(r.body().strip().endsWith("data: [DONE]"), r.body());

    HttpResponse<String> m = get("/metrics");
    assertEquals(200, m.statusCode());
    assertTrue(m.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"), m.headers().toString());
    String text = m.body();
    assertTrue(metric(text, "baton_time_to_first_token_seconds_bucket") >= 1, text);
    assertTrue(metric(text, "baton_time_to_first_token_seconds_count") >= 1, text);
    // One sample per token after the first chunk the stream wrote (which may hold several tokens).
    double interTokens = metric(text, "baton_inter_token_latency_seconds_count");
    assertTrue(interTokens >= 1 && interTokens <= 39, "inter-token samples: " + interTokens);
    assertTrue(metric(text, "baton_sessions_submitted_total", "model=\"baton-small\"") >= 1, text);
    assertTrue(metric(text, "baton_sessions_ended_total", "outcome=\"completed\"") >= 1, text);
    assertTrue(metric(text, "baton_session_submit_seconds_count") >= 1, text);
    // The runner's chunks, each acknowledged after the session's journal write; 40 tokens fill two
    // KV blocks past the prompt, so a checkpoint was acknowledged too.
    assertTrue(metric(text, "baton_journal_append_seconds_count", "model=\"baton-small\"") >= 1, text);
    assertTrue(metric(text, "baton_journal_append_seconds_bucket", "le=") >= 1, text);
    assertTrue(metric(text, "baton_journal_checkpoint_seconds_count", "model=\"baton-small\"") >= 1, text);
    assertTrue(text.contains("# HELP baton_journal_append_seconds Worker's AppendTokens chunk sent until"), text);
  }

  /** A streamed completion's text and how long it took, in milliseconds. */
  static Map.Entry<String, Long> timedCompletion(int maxTokens, int seed) throws Exception {
    long start = System.nanoTime();
    HttpResponse<String> r = post("/v1/completions", "{\"model\":\"baton-small\",\"prompt\":\"Slow\",\"max_tokens\":"
        + maxTokens + ",\"seed\":" + seed + "}");
    long millis = (System.nanoTime() - start) / 1_000_000;
    assertEquals(200, r.statusCode(), r.body());
    return Map.entry(JSON.readTree(r.body()).at("/choices/0/text").asText(), millis);
  }

  @Test
  @Order(4)
  void aChaosSlowdownSlowsEveryStepAndChangesNoTokenAndOneClearsIt() throws Exception {
    String chaos = "/admin/chaos/workers/" + gpu(0, 1) + "/slow";
    assertEquals("factor", error(post(chaos, "{}"), 400).get("param").asText());
    assertEquals("factor", error(post(chaos, "{\"factor\":0}"), 400).get("param").asText());
    assertEquals("factor", error(post(chaos, "{\"factor\":-2}"), 400).get("param").asText());
    assertEquals("factor", error(post(chaos, "{\"factor\":\"4\"}"), 400).get("param").asText());
    assertEquals("invalid_json", error(post(chaos, "{oops"), 400).get("code").asText());
    assertEquals("gpu_not_found",
        error(post("/admin/chaos/workers/no-such-gpu/slow", "{\"factor\":4}"), 404).get("code").asText());

    int tokens = 30;
    Map.Entry<String, Long> normal = timedCompletion(tokens, 21);
    // Every GPU of the node, so the session is slowed wherever it is placed.
    for (String id : workers().keySet()) {
      HttpResponse<String> slowed = post("/admin/chaos/workers/" + id + "/slow", "{\"factor\":10}");
      assertEquals(200, slowed.statusCode(), slowed.body());
      JsonNode answer = JSON.readTree(slowed.body());
      assertEquals(id, answer.get("worker").asText());
      assertEquals(10.0, answer.get("factor").asDouble());
    }
    Map.Entry<String, Long> slow = timedCompletion(tokens, 21);
    assertEquals(normal.getKey(), slow.getKey(), "a slow GPU decodes the same tokens");
    // 5 ms per token times 10 for each decode step after the first token: a floor, whatever the load.
    assertTrue(slow.getValue() >= (tokens - 1) * 50 * 8 / 10, "slowed run took " + slow.getValue() + " ms");

    for (String id : workers().keySet()) {
      assertEquals(200, post("/admin/chaos/workers/" + id + "/slow", "{\"factor\":1.0}").statusCode());
    }
    Map.Entry<String, Long> cleared = timedCompletion(tokens, 21);
    // Only a floor is asserted above (pacing never runs ahead of the simulated clock); that 1.0
    // restores full speed is the engine's unit test, as an upper bound on time would be flaky here.
    assertEquals(normal.getKey(), cleared.getKey());
  }

  @Test
  @Order(5)
  void aChaosXid79MidStreamCordonsTheHostAndTheStreamCompletesWithEveryToken() throws Exception {
    int tokens = 400;
    HttpResponse<java.util.stream.Stream<String>> stream = HTTP.send(HttpRequest.newBuilder(
            URI.create(node.httpAddress() + "/v1/completions")).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"baton-small\",\"prompt\":\"Chaos\",\"max_tokens\":"
            + tokens + ",\"stream\":true,\"seed\":9}")).build(), HttpResponse.BodyHandlers.ofLines());
    assertEquals(200, stream.statusCode());
    CompletableFuture<List<String>> lines = CompletableFuture.supplyAsync(() -> stream.body().toList());
    String session = stream.headers().firstValue("x-baton-session-id").orElseThrow();
    String[] gpu = new String[1];
    await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(20)).until(() -> {
      JsonNode s = JSON.readTree(get("/v1/sessions/" + session).body());
      gpu[0] = s.at("/attempts/0/worker").asText(null);
      return s.get("tokens").asInt() >= 5;
    });

    HttpResponse<String> injected = post("/admin/chaos/workers/" + gpu[0] + "/xid", "{\"code\":79}");
    assertEquals(202, injected.statusCode(), injected.body());
    assertEquals("node-fatal", JSON.readTree(injected.body()).get("class").asText());

    String host = workers().get(gpu[0]).get("host").asText();
    await().atMost(TIMEOUT).untilAsserted(() -> {
      List<JsonNode> onHost = workers().values().stream().filter(r -> r.get("host").asText().equals(host)).toList();
      assertEquals(2, onHost.size());
      for (JsonNode r : onHost) {
        assertEquals("cordoned", r.get("state").asText(), r.toString());
        assertTrue(r.get("reason").asText().contains("XID 79"), r.toString());
      }
    });
    JsonNode xid = workers().get(gpu[0]).get("last_xid");
    assertEquals(79, xid.get("code").asInt());
    assertEquals("node-fatal", xid.get("class").asText());

    List<String> body = lines.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    assertEquals("data: [DONE]", body.stream().filter(l -> l.startsWith("data: ")).reduce((a, b) -> b).orElse(""));
    List<Integer> ids = body.stream().filter(l -> l.startsWith("id: ")).map(l -> Integer.parseInt(l.substring(4)))
        .distinct().toList();
    assertEquals(IntStream.range(0, tokens).boxed().toList(), ids, "every token once, in order, across the move");
    JsonNode s = JSON.readTree(get("/v1/sessions/" + session).body());
    assertEquals("completed", s.get("status").asText());
    assertEquals(79, s.at("/attempts/0/failure/xid").asInt(), s.toString());

    String text = get("/metrics").body();
    assertTrue(metric(text, "baton_xids_total", "code=\"79\"", "class=\"node-fatal\"") >= 1, text);
    assertTrue(metric(text, "baton_migrations_total", "cause=\"xid\"") >= 1, text);
  }

  @Test
  @Order(6)
  void anAdminTokenGuardsAdminAndChaosOffMeansNoChaosRoutes() throws Exception {
    String lockedId = TestNodes.nodeId("admin-locked");
    Map<String, Object> guarded = Map.of("baton.http.admin-token", "s3cret", "baton.http.chaos", "off");
    try (BatonNode locked = startNode(lockedId, guarded)) {
      String someGpu = FleetBootstrap.workerId(FleetBootstrap.hostId(lockedId, 0), 0);
      assertEquals("invalid_api_key",
          error(send(locked, "GET", "/admin/workers", null, null), 401).get("code").asText());
      error(send(locked, "GET", "/admin/workers", null, "wrong"), 401);
      error(send(locked, "POST", "/admin/workers/" + someGpu + "/cordon", "{\"reason\":\"r\"}", null), 401);
      error(manage(locked, "GET", "/cluster/members", null), 401);
      error(manage(locked, "GET", "/loglevel/logback?logger=io.baton", null), 401);
      assertEquals(200, manage(locked, "GET", "/ready", null).statusCode(), "probes need no token");
      assertEquals(200, manage(locked, "GET", "/alive", null).statusCode(), "probes need no token");
      assertEquals(404, send(locked, "GET", "/admin/cluster/members", null, "s3cret").statusCode(),
          "cluster routes moved to the management port");

      HttpResponse<String> list = send(locked, "GET", "/admin/workers", null, "s3cret");
      assertEquals(200, list.statusCode(), list.body());
      assertEquals(4, JSON.readTree(list.body()).get("data").size());

      assertEquals("unknown_url", error(send(locked, "POST", "/admin/chaos/workers/" + someGpu + "/xid",
          "{\"code\":79}", "s3cret"), 404).get("code").asText());
      assertEquals("unknown_url", error(send(locked, "POST", "/admin/chaos/workers/" + someGpu + "/slow",
          "{\"factor\":4}", "s3cret"), 404).get("code").asText());
      JsonNode row = JSON.readTree(send(locked, "GET", "/admin/workers/" + someGpu, null, "s3cret").body());
      assertEquals("active", row.get("state").asText());
      assertTrue(row.get("last_xid").isNull(), row.toString());

      HttpResponse<String> level = manage(locked, "PUT", "/loglevel/logback?logger=io.baton.test&level=DEBUG", "s3cret");
      assertEquals("DEBUG", JSON.readTree(level.body()).get("level").asText(), level.body());
      error(manage(locked, "PUT", "/loglevel/logback?logger=io.baton.test&level=LOUD", "s3cret"), 400);

      HttpResponse<String> members = manage(locked, "GET", "/cluster/members", "s3cret");
      assertEquals(200, members.statusCode(), members.body());
      JsonNode m = JSON.readTree(members.body());
      assertEquals(locked.clusterAddress(), m.get("selfNode").asText());
      assertTrue(StreamSupport.stream(m.get("members").spliterator(), false)
          .anyMatch(x -> x.get("node").asText().equals(locked.clusterAddress())
              && x.get("status").asText().equals("Up")),
          m.toString());
      HttpResponse<String> shards = manage(locked, "GET", "/cluster/shards/GpuWorker", "s3cret");
      assertEquals(200, shards.statusCode(), shards.body());
      assertTrue(JSON.readTree(shards.body()).has("regions"), shards.body());
      error(manage(locked, "GET", "/cluster/shards/NoSuchEntity", "s3cret"), 404);

      assertEquals(200, send(locked, "GET", "/metrics", null, null).statusCode(), "metrics need no admin token");
      assertEquals(200, send(locked, "GET", "/v1/models", null, null).statusCode(),
          "/v1 does not ask for the admin token");
    }
  }
}
