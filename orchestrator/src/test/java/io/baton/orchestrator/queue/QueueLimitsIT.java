package io.baton.orchestrator.queue;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.baton.actors.session.SessionState;
import io.baton.persistence.testing.CassandraTestExtension;
import io.baton.workers.agent.AgentStatus;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The queue's limits on client requests, on a saturated fleet: a tenant at its maximum of waiting
 * requests gets a 429, and a request expected to wait beyond its class's maximum queue time gets a
 * 503 before any byte of its stream. A refused request leaves nothing behind: no session id, no
 * submitted session, no waiter. Batch lines of the same tenant are bound by neither limit: they
 * wait, and their batch completes.
 */
@ExtendWith(CassandraTestExtension.class)
class QueueLimitsIT {
  /** A stream this long holds its GPU for 4 s at 20 ms a token: the fleet stays full while the test acts. */
  private static final int LONG = 200;

  @Test
  void aTenantAtItsMaximumOfWaitingRequestsGetsA429AndItsBatchStillRuns() throws Exception {
    try (QueueNode q = QueueNode.start("max-queued", "capped:sk-capped,other:sk-other", Map.of(
        "baton.tenants.capped.max-queued", 2,
        "baton.workers.engine.timing.decode-per-token", "20ms"))) {
      List<HttpResponse<InputStream>> open = new ArrayList<>();
      for (int i = 0; i < QueueNode.PLACES; i++) {
        open.add(q.stream("sk-other", q.completion("fill " + i, LONG, i, ",\"stream\":true")));
      }
      awaitRunning(q, sessionIds(open));
      for (int i = 0; i < 2; i++) {
        HttpResponse<InputStream> waits = q.stream("sk-capped", q.completion("wait " + i, 5, i, ",\"stream\":true"));
        assertEquals(200, waits.statusCode(), "within its maximum, a request waits its turn");
        open.add(waits);
      }
      q.awaitQueue("capped's 2 waiting", row -> QueueNode.tenant(row, "capped").path("waiting").asInt() == 2);

      double submitted = submitted(q);
      HttpResponse<String> refused = q.post("sk-capped", "/v1/completions", q.completion("one more", 5, 9, ""));
      assertEquals(429, refused.statusCode(), refused.body());
      JsonNode error = QueueNode.JSON.readTree(refused.body()).get("error");
      assertEquals("rate_limit_exceeded", error.get("code").asText(), refused.body());
      assertEquals("rate_limit_error", error.get("type").asText(), refused.body());
      assertTrue(error.get("message").asText().contains("waiting"), refused.body());
      assertEquals("2", refused.headers().firstValue("x-ratelimit-limit-requests").orElseThrow());
      assertEquals("0", refused.headers().firstValue("x-ratelimit-remaining-requests").orElseThrow());
      assertTrue(refused.headers().firstValue("x-ratelimit-reset-requests").orElseThrow().endsWith("ms"));
      assertTrue(Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow()) >= 1);
      assertNothingPersisted(q, refused, submitted, "capped", 2);
      assertTrue(QueueNode.metric(q.metrics(), "baton_requests_limited_total", "limit=\"queued\"",
          "tenant=\"capped\"") >= 1);

      // The same tenant's batch lines queue beyond its maximum, and run.
      String batch = q.createBatch("sk-capped", lines(q, 3));
      q.awaitQueue("capped's lines waiting", row -> QueueNode.tenant(row, "capped").path("waiting").asInt() > 2);
      assertBatchCompleted(q, "sk-capped", batch, 3);
      open.forEach(r -> closeQuietly(r.body()));
    }
  }

  @Test
  void aRequestThatWouldWaitBeyondItsClassMaximumGetsA503BeforeAnyStreamByte() throws Exception {
    try (QueueNode q = QueueNode.start("max-wait", "waiter:sk-waiter,other:sk-other", Map.of(
        "baton.queues.max-queue-time.interactive", "1s",
        // Batch lines would wait beyond theirs too; they are never refused.
        "baton.queues.max-queue-time.batch", "1s",
        "baton.workers.engine.timing.decode-per-token", "20ms"))) {
      // Short streams take the GPUs; long ones queue behind them and are admitted when they end, so
      // the queue has an admission rate from which to expect a newcomer's wait.
      List<HttpResponse<InputStream>> open = new ArrayList<>();
      for (int i = 0; i < QueueNode.PLACES; i++) {
        open.add(q.stream("sk-other", q.completion("short " + i, 100, i, ",\"stream\":true")));
      }
      awaitRunning(q, sessionIds(open));
      List<CompletableFuture<HttpResponse<InputStream>>> sent = new ArrayList<>();
      for (int i = 0; i < QueueNode.PLACES; i++) {
        sent.add(q.streamAsync("sk-other", q.completion("long " + i, LONG, 10 + i, ",\"stream\":true")));
      }
      List<HttpResponse<InputStream>> longs = new ArrayList<>();
      for (CompletableFuture<HttpResponse<InputStream>> f : sent) {
        longs.add(f.get(QueueNode.TIMEOUT.toSeconds(), TimeUnit.SECONDS));
        assertEquals(200, longs.get(longs.size() - 1).statusCode(), "a queue that just formed has no wait to judge yet");
      }
      open.addAll(longs);
      awaitRunning(q, sessionIds(longs));
      HttpResponse<InputStream> first = q.stream("sk-waiter", q.completion("first", 5, 1, ",\"stream\":true"));
      assertEquals(200, first.statusCode(), "nobody waits before it: no wait to expect");
      open.add(first);

      // Batch lines queue too, though they will wait beyond their class's maximum.
      String batch = q.createBatch("sk-waiter", lines(q, 2));
      q.awaitQueue("waiter's request and lines waiting",
          row -> QueueNode.tenant(row, "waiter").path("waiting").asInt() == 3);

      // No admission until the long streams end: the rate falls, the expected wait grows past 1 s.
      q.awaitQueue("an expected wait over 1 s", row -> row.at("/expected_wait_seconds/interactive").asDouble() > 1.0);
      double submitted = submitted(q);
      HttpResponse<InputStream> shed = q.stream("sk-waiter", q.completion("second", 5, 2, ",\"stream\":true"));
      String body = new String(shed.body().readAllBytes());
      assertEquals(503, shed.statusCode(), body);
      assertTrue(shed.headers().firstValue("Content-Type").orElseThrow().startsWith("application/json"),
          "an error object, not an event stream: " + shed.headers().map());
      assertFalse(body.contains("data:"), "no byte of the stream was sent: " + body);
      assertEquals("overloaded", QueueNode.JSON.readTree(body).at("/error/code").asText(), body);
      long retryAfter = Long.parseLong(shed.headers().firstValue("Retry-After").orElseThrow());
      assertTrue(retryAfter >= 2, "the expected wait, over a second, rounded up: " + retryAfter);
      assertNothingPersisted(q, shed, submitted, "waiter", 3);
      assertTrue(QueueNode.metric(q.metrics(), "baton_requests_limited_total", "limit=\"queue_time\"",
          "tenant=\"waiter\"") >= 1);

      for (JsonNode line : assertBatchCompleted(q, "sk-waiter", batch, 2).values()) {
        SessionState s = q.state(line.at("/response/request_id").asText());
        Duration waited = Duration.between(s.submittedAt(), s.attempts().get(0).placedAt());
        assertTrue(waited.compareTo(Duration.ofSeconds(1)) > 0, "the line waited beyond 1 s, unrefused: " + waited);
      }
      open.forEach(r -> closeQuietly(r.body()));
    }
  }

  /** The streams' session ids; each must have been accepted. */
  private static List<String> sessionIds(List<HttpResponse<InputStream>> streams) throws Exception {
    List<String> ids = new ArrayList<>();
    for (HttpResponse<InputStream> r : streams) {
      assertEquals(200, r.statusCode(), () -> r.statusCode() == 200 ? "" : readQuietly(r.body()));
      ids.add(r.headers().firstValue("x-baton-session-id").orElseThrow());
    }
    return ids;
  }

  private static String readQuietly(InputStream body) {
    try {
      return new String(body.readAllBytes());
    } catch (Exception e) {
      return e.toString();
    }
  }

  /** Waits until every one of the sessions runs on a GPU. */
  private static void awaitRunning(QueueNode q, List<String> ids) {
    await().atMost(QueueNode.TIMEOUT).pollInterval(Duration.ofMillis(20)).until(() -> {
      Set<String> running = new HashSet<>();
      for (AgentStatus.Gpu g : q.agentStatus().gpus()) {
        running.addAll(g.sessions());
      }
      return running.containsAll(ids);
    });
  }

  private static double submitted(QueueNode q) throws Exception {
    return QueueNode.metric(q.metrics(), "baton_sessions_submitted_total", "model=\"" + q.model + "\"");
  }

  /** A refused request got no session id, submitted no session and added no waiter. */
  private static void assertNothingPersisted(QueueNode q, HttpResponse<?> refused, double submittedBefore,
      String tenant, int waiting) throws Exception {
    assertTrue(refused.headers().firstValue("x-baton-session-id").isEmpty(), "no session was created");
    assertEquals(submittedBefore, submitted(q), "a refused request submits no session");
    assertEquals(waiting, q.tenantRow(tenant).path("waiting").asInt(), "nor waits: " + q.queue());
  }

  private static String lines(QueueNode q, int n) {
    StringBuilder jsonl = new StringBuilder();
    for (int i = 0; i < n; i++) {
      jsonl.append(q.batchLine("line-" + i, q.completion("line " + i, 5, 100 + i, "")));
    }
    return jsonl.toString();
  }

  /** The batch completed with every line once; its output lines by custom_id. */
  private static Map<String, JsonNode> assertBatchCompleted(QueueNode q, String key, String batch, int lines)
      throws Exception {
    JsonNode done = q.awaitBatch(key, batch);
    assertEquals("completed", done.get("status").asText(), done.toString());
    assertEquals(lines, done.at("/request_counts/completed").asInt(), done.toString());
    assertEquals(0, done.at("/request_counts/failed").asInt(), done.toString());
    Map<String, JsonNode> output = q.output(key, done);
    assertEquals(lines, output.size(), output::toString);
    return output;
  }

  private static void closeQuietly(InputStream body) {
    try {
      body.close();
    } catch (Exception e) {
      // The stream is done with either way.
    }
  }
}
