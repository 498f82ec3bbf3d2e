package io.baton.orchestrator.api;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** OpenAI's batch flow over real HTTP: upload, create, poll to completion, download the output. */
@ExtendWith(CassandraTestExtension.class)
class BatchApiIT {
  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient HTTP = HttpClient.newHttpClient();
  static BatonNode node;

  @BeforeAll
  static void start() throws Exception {
    node = TestNodes.start(TestNodes.nodeId("batch"), Map.of(
        "baton.workers.engine.timing.decode-per-token", "1ms"));
    FilesApiIT.node = node;
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  static JsonNode send(String method, String path, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(node.httpAddress() + path));
    b = body == null ? b.method(method, HttpRequest.BodyPublishers.noBody())
        : b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
    return JSON.readTree(HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString()).body());
  }

  static String chatBody(int i) {
    return "{\"model\":\"baton-small\",\"messages\":[{\"role\":\"user\",\"content\":\"line " + i
        + "\"}],\"max_tokens\":8,\"seed\":" + (100 + i) + "}";
  }

  @Test
  void aBatchRunsEveryGoodLineAndReportsTheBadOneByLineNumber() throws Exception {
    StringBuilder input = new StringBuilder();
    for (int i = 0; i < 5; i++) {
      input.append("{\"custom_id\":\"req-").append(i).append("\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\","
          + "\"body\":").append(chatBody(i)).append("}\n");
      if (i == 2) {
        input.append("{\"custom_id\":\"bad\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\","
            + "\"body\":{\"model\":\"baton-small\",\"messages\":[],\"max_tokens\":8}}\n");
      }
    }
    HttpResponse<String> uploaded = FilesApiIT.upload("batch", "batch.jsonl",
        input.toString().getBytes(StandardCharsets.UTF_8));
    String fileId = JSON.readTree(uploaded.body()).get("id").asText();
    JsonNode batch = send("POST", "/v1/batches", "{\"input_file_id\":\"" + fileId
        + "\",\"endpoint\":\"/v1/chat/completions\",\"completion_window\":\"24h\",\"metadata\":{\"job\":\"it\"}}");
    String id = batch.get("id").asText();
    assertEquals("batch", batch.get("object").asText());
    assertEquals("it", batch.at("/metadata/job").asText());

    JsonNode[] last = new JsonNode[1];
    await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).until(() -> {
      last[0] = send("GET", "/v1/batches/" + id, null);
      return last[0].get("status").asText().equals("completed");
    });
    JsonNode done = last[0];
    assertEquals(6, done.at("/request_counts/total").asInt());
    assertEquals(5, done.at("/request_counts/completed").asInt());
    assertEquals(1, done.at("/request_counts/failed").asInt());
    assertEquals(4, done.at("/errors/data/0/line").asInt(), "OpenAI numbers lines from 1");

    String output = new String(FilesApiIT.get("/v1/files/" + done.get("output_file_id").asText()
        + "/content").body(), StandardCharsets.UTF_8);
    Map<String, String> byCustomId = new HashMap<>();
    for (String line : output.split("\n")) {
      JsonNode l = JSON.readTree(line);
      assertEquals(200, l.at("/response/status_code").asInt());
      byCustomId.put(l.get("custom_id").asText(), l.at("/response/body/choices/0/message/content").asText());
    }
    assertEquals(5, byCustomId.size());
    for (int i = 0; i < 5; i++) {
      JsonNode direct = send("POST", "/v1/chat/completions", chatBody(i));
      assertEquals(direct.at("/choices/0/message/content").asText(), byCustomId.get("req-" + i),
          "a batch line answers exactly as the same request sent alone");
    }
    String errors = new String(FilesApiIT.get("/v1/files/" + done.get("error_file_id").asText()
        + "/content").body(), StandardCharsets.UTF_8);
    assertEquals("bad", JSON.readTree(errors.split("\n")[0]).get("custom_id").asText());
    assertTrue(send("GET", "/v1/batches?limit=5", null).get("data").findValuesAsText("id").contains(id));

    // Batch progress in /metrics: the lines this node's driver saw finish, and the batch it ended.
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      String text = metricsText();
      assertTrue(metric(text, "baton_batches_ended_total", "status=\"completed\"") >= 1, text);
      assertTrue(metric(text, "baton_batch_lines_finished_total", "outcome=\"completed\"") >= 5, text);
      assertTrue(metric(text, "baton_batch_lines_finished_total", "outcome=\"failed\"") >= 1, text);
      assertTrue(metric(text, "baton_batch_lines", "state=\"total\"") >= 0, "the gauge is there: " + text);
      assertTrue(metric(text, "baton_batches_active", "status=\"in_progress\"") >= 0, text);
      // Batch lines count as sessions too: 5 lines and the 5 same requests sent alone.
      assertTrue(metric(text, "baton_sessions_ended_total", "outcome=\"completed\"") >= 10, text);
      assertEquals(0.0, metric(text, "baton_sessions_in_flight"), text);
    });
  }

  static String metricsText() throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(node.httpAddress() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }

  /** The sum of a metric's samples whose labels contain every fragment; -1 when there are none. */
  static double metric(String text, String name, String... labels) {
    double sum = -1;
    for (String line : text.split("\n")) {
      if ((line.startsWith(name + "{") || line.startsWith(name + " "))
          && java.util.Arrays.stream(labels).allMatch(line::contains)) {
        sum = Math.max(sum, 0) + Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }

  /** Creates a batch over {@code input} and waits until it ends; its final object. */
  static JsonNode runToEnd(byte[] input, Consumer<String> afterCreate) throws Exception {
    String fileId = JSON.readTree(FilesApiIT.upload("batch", "in.jsonl", input).body()).get("id").asText();
    String id = send("POST", "/v1/batches", "{\"input_file_id\":\"" + fileId
        + "\",\"endpoint\":\"/v1/chat/completions\",\"completion_window\":\"24h\"}").get("id").asText();
    afterCreate.accept(fileId);
    JsonNode[] last = new JsonNode[1];
    await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).until(() -> {
      last[0] = send("GET", "/v1/batches/" + id, null);
      return Set.of("completed", "failed", "expired", "cancelled").contains(last[0].get("status").asText());
    });
    return last[0];
  }

  @Test
  void anInputOverFiftyThousandLinesFailsTheBatchInsteadOfValidatingForever() throws Exception {
    byte[] input = "x\n".repeat(50_001).getBytes(StandardCharsets.UTF_8);
    JsonNode failed = runToEnd(input, file -> {});
    assertEquals("failed", failed.get("status").asText());
    assertEquals("too_many_requests", failed.at("/errors/data/0/code").asText());
  }

  @Test
  void aLineOverTheLimitFailsTheBatch() throws Exception {
    byte[] input = ("{\"custom_id\":\"" + "x".repeat(4 * 1024 * 1024 + 16) + "\"}\n").getBytes(StandardCharsets.UTF_8);
    JsonNode failed = runToEnd(input, file -> {});
    assertEquals("failed", failed.get("status").asText());
    assertEquals("line_too_long", failed.at("/errors/data/0/code").asText());
  }

  @Test
  void anInputFileDeletedWhileItsBatchRunsFailsTheBatch() throws Exception {
    String line = "{\"custom_id\":\"slow\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":"
        + "{\"model\":\"baton-small\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":1000}}\n";
    JsonNode failed = runToEnd(line.getBytes(StandardCharsets.UTF_8), file -> {
      try {
        // The line decodes 1,000 tokens; the file goes before its output is written (or even read).
        assertTrue(send("DELETE", "/v1/files/" + file, null).get("deleted").asBoolean());
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    });
    assertEquals("failed", failed.get("status").asText());
    assertEquals("input_file_missing", failed.at("/errors/data/0/code").asText());
  }

  @Test
  void aBatchOnAMissingFileIsA404AndCreatesNothing() throws Exception {
    JsonNode refused = send("POST", "/v1/batches",
        "{\"input_file_id\":\"file-nope\",\"endpoint\":\"/v1/chat/completions\",\"completion_window\":\"24h\"}");
    assertEquals("file_not_found", refused.at("/error/code").asText());
    JsonNode badWindow = send("POST", "/v1/batches",
        "{\"input_file_id\":\"file-nope\",\"endpoint\":\"/v1/chat/completions\",\"completion_window\":\"1h\"}");
    assertEquals("completion_window", badWindow.at("/error/param").asText());
  }
}
