package io.baton.orchestrator.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.baton.orchestrator.api.SseEvents;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A background response survives a reset-class XID on its GPU and the kill -9 of the node its
 * client streams from, on a real three-node cluster: the client reads part of the stream from
 * node-2, the response's GPU reports XID 48 (the session moves to another GPU, and node-2 still
 * streams its tokens), node-2 dies, and the client resumes on node-3 with {@code starting_after} =
 * the last {@code sequence_number} it had. What it read before and after is exactly an undisturbed
 * run of the same request, event numbers included. Three nodes, so a majority survives the kill.
 */
class ResponseSurvivalIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private static final int MAX_TOKENS = 240;
  private static final int RESET_XID = 48;
  private static final int FIRST_TOKEN_SEQ = 4;
  /** Any single step: a failover (detection, downing, shard handover, a lease) takes well under it. */
  private static final Duration STEP = Duration.ofSeconds(90);
  /** Any seed must do: a fresh one each run, named in every failure; -Dbaton.test.seed=N replays one. */
  private static final long SEED = Long.getLong("baton.test.seed", ThreadLocalRandom.current().nextLong(1, 1L << 31));

  @Test
  @Timeout(value = 10, unit = TimeUnit.MINUTES)
  void aBackgroundResponseSurvivesAnXidAndTheLossOfItsClientsNode() throws Exception {
    Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "response-survival-");
    // 240 tokens at 60 ms take about 14 s: the XID and the kill land mid-generation.
    ClusterOptions options = ClusterOptions.defaults(dir, 3, 2)
        .withNodeConfig(Map.of("baton.workers.engine.timing.decode-per-token", "60ms"));
    try (LocalCluster cluster = LocalCluster.start(options)) {
      String token = cluster.options().adminToken();
      NodeProcess first = cluster.node("node-1");
      NodeProcess clientNode = cluster.node("node-2");
      NodeProcess survivor = cluster.node("node-3");
      String seedInfo = "seed " + SEED + ", logs in " + dir.toAbsolutePath();

      // The reference: the same request, undisturbed, in the foreground.
      JsonNode reference = json(send(first, token, "/v1/responses", body(false), Duration.ofMinutes(2)), seedInfo);
      String expected = reference.at("/output/0/content/0/text").asText();
      int outputTokens = reference.at("/usage/output_tokens").asInt();
      assertEquals(MAX_TOKENS, outputTokens, "the reference model runs to max_output_tokens; " + seedInfo);
      String endType = "response." + reference.get("status").asText();

      HttpResponse<InputStream> created = HTTP.send(request(clientNode, token, "/v1/responses", Duration.ofSeconds(30))
          .POST(HttpRequest.BodyPublishers.ofString(body(true))).build(), HttpResponse.BodyHandlers.ofInputStream());
      assertEquals(200, created.statusCode(), () -> text(created) + "; " + seedInfo);
      List<JsonNode> events = new ArrayList<>();
      String id;
      int hit;
      try (SseEvents stream = new SseEvents(created.body())) {
        assertTrue(read(stream, events, e -> seq(e) >= 20), "node-2 streams the first tokens: " + events);
        id = events.get(0).at("/response/id").asText();
        String where = "response " + id + ", " + seedInfo;

        JsonNode running = last(view(first, token, id, where).get("attempts"));
        hit = running.get("attempt").asInt();
        String gpu = running.get("worker").asText();
        HttpResponse<String> xid = send(first, token, "/admin/chaos/workers/" + gpu + "/xid",
            "{\"code\":" + RESET_XID + "}", Duration.ofSeconds(30));
        assertEquals(202, xid.statusCode(), xid.body());
        JsonNode moved = last(await().atMost(STEP).pollInterval(Duration.ofMillis(200))
            .until(() -> view(first, token, id, where).get("attempts"), a -> last(a).get("attempt").asInt() > hit));
        // node-2 keeps streaming, now tokens the second GPU made.
        int secondGpuFrom = moved.get("resume_from").asInt();
        assertTrue(read(stream, events, e -> seq(e) >= FIRST_TOKEN_SEQ + secondGpuFrom + 5),
            "node-2 streams the new GPU's tokens after the XID: " + events);

        JsonNode before = view(first, token, id, where);
        assertFalse(terminal(before.get("status").asText()),
            "node-2 dies while the response is generating: " + before);
        clientNode.kill9();
        // What node-2 sent before it died may still arrive; then its stream breaks, unfinished.
        read(stream, events, e -> false);
      }
      String where = "response " + id + ", " + seedInfo;
      int readBeforeKill = events.size();
      assertFalse(events.stream().anyMatch(ResponseSurvivalIT::isEnd),
          "the stream broke before the response ended: " + events.get(readBeforeKill - 1));

      // The client resumes on another node; while node-2's shards move, it is told to retry (503).
      List<Integer> refused = new ArrayList<>();
      await().atMost(STEP).pollInSameThread().pollInterval(Duration.ofMillis(250))
          .until(() -> resume(survivor, token, id, events, refused, where));
      List<Long> seqs = events.stream().map(ResponseSurvivalIT::seq).toList();
      assertEquals(List.of(0L, 1L, 2L, 3L), seqs.subList(0, 4), "the response opens once: " + seqs);
      for (int i = 1; i < seqs.size(); i++) {
        assertTrue(seqs.get(i) > seqs.get(i - 1), "strictly increasing, no duplicates, at " + i + ": " + seqs);
      }
      assertTrue(events.subList(readBeforeKill, events.size()).stream().anyMatch(e -> delta(e) != null),
          "node-3 streamed tokens after the kill: " + seqs);
      assertEquals(expected, events.stream().map(ResponseSurvivalIT::delta)
          .filter(d -> d != null).collect(Collectors.joining()), "the deltas are the undisturbed text; " + where);
      JsonNode end = events.get(events.size() - 1);
      assertEquals(endType, end.get("type").asText(), end.toString());
      assertEquals(FIRST_TOKEN_SEQ + 4L + outputTokens, seq(end), "the closing events' numbers: " + seqs);
      assertEquals(outputTokens, end.at("/response/usage/output_tokens").asInt(), end.toString());
      assertEquals(expected, end.at("/response/output/0/content/0/text").asText(), where);

      JsonNode session = view(first, token, id, where);
      List<JsonNode> attempts = new ArrayList<>();
      session.get("attempts").forEach(attempts::add);
      System.out.println("resumed on node-3 after " + seq(events.get(readBeforeKill - 1)) + ", refused first "
          + refused + "; " + readBeforeKill + " events from node-2, " + (events.size() - readBeforeKill)
          + " from node-3; attempts " + attempts.stream().map(a -> a.get("worker").asText() + " from "
          + a.get("resume_from").asInt() + " " + a.at("/failure/kind").asText("-")).toList() + "; " + where);
      assertTrue(attempts.size() >= 2, "the session moved: " + session);
      JsonNode xidAttempt = attempts.stream().filter(a -> a.get("attempt").asInt() == hit).findFirst().orElseThrow();
      assertEquals("XID", xidAttempt.at("/failure/kind").asText(), "the XID failed the attempt: " + session);
      assertEquals(RESET_XID, xidAttempt.at("/failure/xid").asInt(), session.toString());

      JsonNode stored = json(send(first, token, "/v1/responses/" + id, null, Duration.ofSeconds(30)), where);
      assertEquals(reference.get("status").asText(), stored.get("status").asText(), stored.toString());
      assertEquals(expected, stored.at("/output/0/content/0/text").asText(), where);
      assertEquals(outputTokens, stored.at("/usage/output_tokens").asInt(), stored.toString());
    }
    // Kept when the test fails: the node logs are in it.
    try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).map(Path::toFile).forEach(java.io.File::delete);
    }
  }

  private static String body(boolean background) {
    return "{\"model\":\"baton-small\",\"input\":\"Tell the story of a response that outlived its GPU\","
        + "\"max_output_tokens\":" + MAX_TOKENS + ",\"seed\":" + SEED + ",\"temperature\":0.9"
        + (background ? ",\"background\":true,\"stream\":true}" : "}");
  }

  /**
   * One resumption from the last event the client has: true once the response's end is read; false
   * when the node refuses for now (503 while shards move; 404 until the session is found) or the
   * stream breaks or reports the session lost, so that the caller tries again from where it got to.
   */
  private static boolean resume(NodeProcess node, String token, String id, List<JsonNode> events,
      List<Integer> refused, String where) throws Exception {
    String path = "/v1/responses/" + id + "?stream=true&starting_after=" + seq(events.get(events.size() - 1));
    HttpResponse<InputStream> r;
    try {
      r = HTTP.send(request(node, token, path, Duration.ofSeconds(30)).GET().build(),
          HttpResponse.BodyHandlers.ofInputStream());
    } catch (IOException e) {
      refused.add(-1);
      return false;
    }
    if (r.statusCode() == 503 || r.statusCode() == 404) {
      refused.add(r.statusCode());
      r.body().close();
      return false;
    }
    assertEquals(200, r.statusCode(), () -> path + " answered " + text(r) + "; " + where);
    try (SseEvents stream = new SseEvents(r.body())) {
      return read(stream, events, ResponseSurvivalIT::isEnd);
    }
  }

  /**
   * Reads events into {@code events} until {@code done} holds for one (true), or the stream ends,
   * breaks or sends the error a lost session ends with (false).
   */
  private static boolean read(SseEvents stream, List<JsonNode> events, Predicate<JsonNode> done) {
    try {
      for (SseEvents.Event e = stream.next(); e != null; e = stream.next()) {
        JsonNode json = e.json();
        if (!json.has("sequence_number")) {
          return false;
        }
        events.add(json);
        if (done.test(json)) {
          return true;
        }
      }
    } catch (IOException broken) {
      // The node died mid-stream.
    }
    return false;
  }

  private static long seq(JsonNode event) {
    return event.get("sequence_number").asLong();
  }

  private static String delta(JsonNode event) {
    return "response.output_text.delta".equals(event.get("type").asText()) ? event.get("delta").asText() : null;
  }

  private static boolean isEnd(JsonNode event) {
    return List.of("response.completed", "response.incomplete", "response.failed").contains(
        event.get("type").asText());
  }

  private static boolean terminal(String sessionStatus) {
    return List.of("completed", "failed", "cancelled").contains(sessionStatus);
  }

  private static JsonNode last(JsonNode array) {
    return array.get(array.size() - 1);
  }

  private static JsonNode view(NodeProcess node, String token, String id, String where) throws Exception {
    return json(send(node, token, "/v1/sessions/" + id, null, Duration.ofSeconds(30)), where);
  }

  /** Every call carries the admin token: /admin needs it, and /v1 without API keys ignores it. */
  private static HttpRequest.Builder request(NodeProcess node, String token, String path, Duration timeout) {
    return HttpRequest.newBuilder(URI.create(node.httpUrl() + path)).timeout(timeout)
        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json");
  }

  /** A GET, or a POST of {@code body} when there is one. */
  private static HttpResponse<String> send(NodeProcess node, String token, String path, String body,
      Duration timeout) throws Exception {
    HttpRequest.Builder r = request(node, token, path, timeout);
    return HTTP.send(body == null ? r.GET().build() : r.POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode json(HttpResponse<String> r, String where) throws IOException {
    assertEquals(200, r.statusCode(), () -> r.uri() + " answered " + r.body() + "; " + where);
    return JSON.readTree(r.body());
  }

  private static String text(HttpResponse<InputStream> r) {
    try (InputStream in = r.body()) {
      return r.statusCode() + " " + new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return r.statusCode() + " (body unreadable: " + e + ")";
    }
  }
}
