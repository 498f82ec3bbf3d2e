package io.baton.orchestrator.feed;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.baton.orchestrator.BatonNode;
import io.baton.orchestrator.TestNodes;
import io.baton.orchestrator.api.SseEvents;
import io.baton.persistence.testing.CassandraTestExtension;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The admin event feed and the console's endpoints against a real node: a stream moved off a GPU
 * by an XID shows on the feed as the XID (with its class), the GPU's state change, the failed
 * attempt and the resumed one (method, tokens restored or recomputed); a cordon shows who and why;
 * a second feed resumes after a Last-Event-ID exactly where the first went on; the session list,
 * one session's text, pools, topology and throughput agree with what happened.
 */
@ExtendWith(CassandraTestExtension.class)
class AdminFeedIT {
  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient HTTP = HttpClient.newHttpClient();
  static final String TOKEN = "feed-admin-token";
  static final Duration SOON = Duration.ofSeconds(20);

  @Test
  void theFeedTellsAMigrationAndACordonAndResumesAfterLastEventId() throws Exception {
    try (BatonNode node = TestNodes.start(TestNodes.nodeId("feed"), Map.of(
        "baton.http.admin-token", TOKEN,
        "baton.workers.engine.timing.decode-per-token", "25ms"))) {
      String base = node.httpAddress();
      assertEquals(401, get(base, "/admin/events", null).statusCode(), "the feed needs the admin token");
      assertEquals(401, get(base, "/admin/sessions", null).statusCode());

      try (FeedReader feed = follow(base, null)) {
        HttpResponse<InputStream> stream = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/v1/completions"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(
                "{\"model\":\"baton-small\",\"prompt\":\"Follow me\",\"max_tokens\":160,\"seed\":11,\"stream\":true}"))
            .build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, stream.statusCode());
        String session = stream.headers().firstValue("x-baton-session-id").orElseThrow();
        FeedReader.Event placed = feed.await(e -> e.type().equals("attempt.placed")
            && e.data().get("session").asText().equals(session), SOON, "first placement");
        assertEquals("fresh", placed.data().get("method").asText());

        try (SseEvents tokens = new SseEvents(stream.body())) {
          // Tokens flow: the XID hits the GPU the stream runs on now (a refused grant may have moved it).
          StringBuilder text = new StringBuilder(tokens.next().json().at("/choices/0/text").asText(""));
          JsonNode running = json(get(base, "/admin/sessions/" + session, TOKEN)).get("attempts");
          JsonNode current = running.get(running.size() - 1);
          String gpu = current.get("worker").asText();
          int attempt = current.get("attempt").asInt();
          HttpResponse<String> xid = post(base, "/admin/chaos/workers/" + gpu + "/xid", "{\"code\":79}");
          assertEquals(202, xid.statusCode(), xid.body());
          FeedReader.Event seen = feed.await(e -> e.type().equals("gpu.xid") && e.data().get("gpu").asText().equals(gpu),
              SOON, "the XID");
          assertEquals(79, seen.data().get("code").asInt());
          assertEquals("node-fatal", seen.data().get("xid_class").asText(), seen.data().toString());
          FeedReader.Event out = feed.await(e -> e.type().equals("gpu.state") && e.data().get("gpu").asText().equals(gpu)
              && e.data().get("from").asText().equals("active"), SOON, "the GPU leaving rotation");
          assertEquals("cordoned", out.data().get("to").asText(), out.data().toString());
          assertFalse(out.data().get("reason").asText().isBlank(), out.data().toString());
          FeedReader.Event failed = feed.await(e -> e.type().equals("attempt.failed")
              && e.data().get("session").asText().equals(session) && e.data().get("attempt").asInt() == attempt,
              SOON, "the failed attempt");
          assertEquals(gpu, failed.data().get("gpu").asText());
          assertEquals("xid", failed.data().get("cause").asText());
          // What the client streamed is the session's text, token for token.
          text.append(textOf(tokens));
          feed.await(e -> e.type().equals("session.ended") && e.data().get("session").asText().equals(session)
              && e.data().get("status").asText().equals("completed"), Duration.ofSeconds(30), "the session's end");
          JsonNode one = json(get(base, "/admin/sessions/" + session, TOKEN));
          assertEquals(text.toString(), one.get("text").asText());
          // The attempt that finished it, as the feed told it (a refused grant may come between).
          int attempts = one.get("attempts").size();
          FeedReader.Event resumed = feed.seen.stream().filter(e -> e.type().equals("attempt.placed")
              && e.data().get("session").asText().equals(session)
              && e.data().get("attempt").asInt() == attempts).findFirst().orElseThrow();
          assertTrue(attempts > attempt, one.toString());
          assertNotEquals(gpu, resumed.data().get("gpu").asText(), "resumed elsewhere");
          String method = resumed.data().get("method").asText();
          assertTrue(List.of("kv_restore", "recompute").contains(method), method);
          JsonNode r = resumed.data();
          assertTrue(r.get("restored").asInt() + r.get("recomputed").asInt() > r.get("resume_from").asInt(),
              "the prompt and the tokens so far are rebuilt: " + r);
          JsonNode listed = StreamSupport.stream(json(get(base, "/admin/sessions?status=completed", TOKEN)).get("data")
              .spliterator(), false).filter(s -> s.get("id").asText().equals(session)).findFirst().orElseThrow();
          assertEquals(attempts, listed.get("attempts").asInt());
          assertEquals(0, json(get(base, "/admin/sessions?status=completed&tenant=nobody", TOKEN)).get("data").size());
        }

        // A cordon: who and why.
        String other = StreamSupport.stream(json(get(base, "/admin/workers", TOKEN)).get("data").spliterator(), false)
            .filter(w -> w.get("state").asText().equals("active")).findFirst().orElseThrow().get("id").asText();
        HttpResponse<String> cordon = post(base, "/admin/workers/" + other + "/cordon",
            "{\"reason\":\"fan noise\",\"by\":\"alice\"}");
        assertEquals(200, cordon.statusCode(), cordon.body());
        FeedReader.Event c = feed.await(e -> e.type().equals("gpu.state") && e.data().get("gpu").asText().equals(other)
            && e.data().get("to").asText().equals("cordoned"), SOON, "the cordon");
        assertEquals("alice", c.data().get("by").asText());
        assertEquals("fan noise", c.data().get("reason").asText());

        // A second feed, resuming after an id the first one saw, goes on exactly as the first did.
        int at = feed.seen.size() / 2;
        List<String> after = feed.seen.subList(at + 1, feed.seen.size()).stream().map(FeedReader.Event::id).toList();
        try (FeedReader again = follow(base, feed.seen.get(at).id())) {
          for (String id : after) {
            assertEquals(id, again.next(e -> true, SOON, "event " + id).id());
          }
        }
      }

      JsonNode pools = json(get(base, "/admin/pools", TOKEN)).get("data");
      assertEquals("baton-small", pools.get(0).get("model").asText(), pools.toString());
      assertEquals(3, pools.get(0).get("target").asInt(), pools.toString());
      JsonNode topology = json(get(base, "/admin/topology", TOKEN));
      assertEquals(topology.get("self").asText(), topology.get("oldest").asText());
      assertTrue(StreamSupport.stream(topology.get("shards").spliterator(), false).anyMatch(t ->
          t.get("type").asText().equals("Session") && t.get("regions").get(0).get("entities").asInt() >= 0));
      assertTrue(json(get(base, "/admin/overview", TOKEN)).get("chaos").asBoolean());
      await().atMost(Duration.ofSeconds(15)).until(() -> StreamSupport.stream(
          json(get(base, "/admin/throughput", TOKEN)).get("points").spliterator(), false)
          .anyMatch(p -> p.get("tokens_per_s").asDouble() > 0));
    }
  }

  private static String textOf(SseEvents tokens) throws Exception {
    StringBuilder text = new StringBuilder();
    SseEvents.Event e;
    while ((e = tokens.next()) != null && !"[DONE]".equals(e.data())) {
      text.append(e.json().at("/choices/0/text").asText(""));
    }
    return text.toString();
  }

  static FeedReader follow(String base, String lastEventId) throws Exception {
    return FeedReader.follow(base, TOKEN, lastEventId);
  }

  static HttpResponse<String> get(String base, String path, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> post(String base, String path, String body) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + TOKEN)
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static JsonNode json(HttpResponse<String> r) throws Exception {
    assertEquals(200, r.statusCode(), r.body());
    return JSON.readTree(r.body());
  }
}
