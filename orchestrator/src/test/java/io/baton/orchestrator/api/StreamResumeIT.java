package io.baton.orchestrator.api;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A client drops its stream mid-way and resumes it with {@code Last-Event-ID} while the session
 * still runs: what it read before plus what it reads after is exactly the uninterrupted output, and
 * the resumed events' ids carry on from the last one it had. After the end, {@code ?after=N} replays
 * the rest from any token.
 */
@ExtendWith(CassandraTestExtension.class)
class StreamResumeIT {
  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient HTTP = HttpClient.newHttpClient();
  static final int MAX_TOKENS = 160;
  static final int READ_BEFORE_DROP = 30;
  static final String REQUEST = "{\"model\":\"baton-small\",\"prompt\":\"Resume me\",\"max_tokens\":" + MAX_TOKENS
      + ",\"seed\":21,\"temperature\":0.9%s}";
  static BatonNode node;

  @BeforeAll
  static void start() throws Exception {
    node = TestNodes.start(TestNodes.nodeId("resume"), Map.of(
        // 160 tokens take 4 s: the stream is dropped and resumed while the session runs.
        "baton.workers.engine.timing.decode-per-token", "25ms"));
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  static HttpResponse<InputStream> send(HttpRequest.Builder request) throws Exception {
    HttpResponse<InputStream> r = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    if (r.statusCode() != 200) {
      String body;
      try (InputStream in = r.body()) {
        body = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      }
      throw new AssertionError(r.uri() + " answered " + r.statusCode() + ": " + body);
    }
    return r;
  }

  static HttpRequest.Builder completion(String extra) {
    return HttpRequest.newBuilder(URI.create(node.httpAddress() + "/v1/completions"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(String.format(REQUEST, extra)));
  }

  static HttpRequest.Builder resume(String sessionId, String query) {
    return HttpRequest.newBuilder(URI.create(node.httpAddress() + "/v1/sessions/" + sessionId + "/stream" + query));
  }

  static List<SseEvents.Event> read(HttpRequest.Builder request) throws Exception {
    try (SseEvents events = new SseEvents(send(request).body())) {
      return events.toDone();
    }
  }

  static JsonNode view(String sessionId) throws Exception {
    return JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(node.httpAddress() + "/v1/sessions/" + sessionId))
        .build(), HttpResponse.BodyHandlers.ofString()).body());
  }

  @Test
  void aDroppedStreamResumedWithLastEventIdEqualsTheUninterruptedOutput() throws Exception {
    HttpResponse<InputStream> first = send(completion(",\"stream\":true"));
    String sessionId = first.headers().firstValue("x-baton-session-id").orElseThrow();
    List<SseEvents.Event> before = new ArrayList<>();
    try (SseEvents events = new SseEvents(first.body())) {
      while (before.size() < READ_BEFORE_DROP) {
        SseEvents.Event e = events.next();
        assertNotNull(e, "the stream ended after " + before.size() + " events");
        assertTrue(e.token(), "a token's event before the drop: " + e);
        before.add(e);
      }
    } // the connection drops here, mid-generation
    assertEquals(IntStream.range(0, READ_BEFORE_DROP).boxed().toList(),
        before.stream().map(SseEvents.Event::index).toList(), "one event per token, id = token index");
    String lastEventId = before.get(before.size() - 1).id();

    JsonNode running = view(sessionId);
    assertEquals("generating", running.get("status").asText(), "resumed while the session runs: " + running);
    assertTrue(running.get("tokens").asInt() < MAX_TOKENS, running.toString());

    List<SseEvents.Event> after = read(resume(sessionId, "").header("Last-Event-ID", lastEventId));
    List<SseEvents.Event> resumedTokens = after.stream().filter(SseEvents.Event::token).toList();
    assertEquals(IntStream.range(READ_BEFORE_DROP, MAX_TOKENS).boxed().toList(),
        resumedTokens.stream().map(SseEvents.Event::index).toList(), "the resumed ids continue from Last-Event-ID + 1");
    SseEvents.Event finish = after.get(after.size() - 2);
    assertEquals("length", finish.json().at("/choices/0/finish_reason").asText(), finish.toString());
    assertEquals(sessionId, finish.json().get("id").asText(), "the resumed chunks keep the completion id");

    String uninterrupted = JSON.readTree(new String(send(completion("")).body().readAllBytes(),
        java.nio.charset.StandardCharsets.UTF_8)).at("/choices/0/text").asText();
    assertTrue(uninterrupted.length() >= MAX_TOKENS / 2, "a long enough text to compare: " + uninterrupted);
    assertEquals(uninterrupted, SseEvents.text(before) + SseEvents.text(after),
        "read before the drop + read after the resume = the uninterrupted output, exactly");
  }

  @Test
  void afterTheSessionEndedTheStreamReplaysFromAnyToken() throws Exception {
    HttpResponse<InputStream> first = send(completion(",\"stream\":true"));
    String sessionId = first.headers().firstValue("x-baton-session-id").orElseThrow();
    first.body().close();
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
        .until(() -> view(sessionId).get("status").asText().equals("completed"));

    List<SseEvents.Event> all = read(resume(sessionId, "?after=-1"));
    List<String> tokenTexts = all.stream().filter(SseEvents.Event::token).map(SseEvents.Event::text).toList();
    assertEquals(MAX_TOKENS, tokenTexts.size(), "every token from the first: " + all.size() + " events");
    String uninterrupted = JSON.readTree(new String(send(completion("")).body().readAllBytes(),
        java.nio.charset.StandardCharsets.UTF_8)).at("/choices/0/text").asText();
    assertEquals(uninterrupted, SseEvents.text(all));

    int n = 99;
    List<SseEvents.Event> rest = read(resume(sessionId, "?after=" + n));
    assertEquals(IntStream.range(n + 1, MAX_TOKENS).boxed().toList(),
        rest.stream().filter(SseEvents.Event::token).map(SseEvents.Event::index).toList());
    assertEquals(String.join("", tokenTexts.subList(n + 1, MAX_TOKENS)), SseEvents.text(rest),
        "?after=" + n + " replays exactly the tokens after " + n);
    List<SseEvents.Event> sameByHeader = read(resume(sessionId, "").header("Last-Event-ID", String.valueOf(n)));
    assertEquals(rest.stream().map(SseEvents.Event::data).toList(), sameByHeader.stream().map(SseEvents.Event::data)
        .toList(), "Last-Event-ID and ?after name the same resume point");

    List<SseEvents.Event> nothingLeft = read(resume(sessionId, "?after=" + (MAX_TOKENS - 1)));
    assertEquals(List.of(), nothingLeft.stream().filter(SseEvents.Event::token).toList(), "no token after the last");
    assertEquals("length", nothingLeft.get(0).json().at("/choices/0/finish_reason").asText());
  }
}
