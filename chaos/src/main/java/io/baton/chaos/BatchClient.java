package io.baton.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The workload's batch: upload the JSONL through {@code /v1/files}, create the batch, poll it to a
 * terminal status through whichever node answers, then download its output file. Each step moves to
 * another node when one does not answer, as an SDK behind a load balancer would.
 */
final class BatchClient {
  private static final Logger log = LoggerFactory.getLogger(BatchClient.class);

  /**
   * @param batchId null when no batch was created
   * @param outputs the text of each completed line by custom_id, from the output file
   */
  record BatchLog(String batchId, String status, int total, int completed, int failed, Map<String, String> outputs,
      int errorLines, String detail) {
    boolean created() {
      return batchId != null;
    }
  }

  private final Workload workload;
  private final NodeDirectory nodes;
  private final Instant deadline;

  BatchClient(Workload workload, NodeDirectory nodes, Instant deadline) {
    this.workload = workload;
    this.nodes = nodes;
    this.deadline = deadline;
  }

  BatchLog run() {
    StringBuilder jsonl = new StringBuilder();
    workload.batch().forEach(l -> jsonl.append(l.jsonl()).append('\n'));
    Optional<JsonNode> file = retry("upload", url -> upload(url, jsonl.toString()));
    if (file.isEmpty()) {
      return new BatchLog(null, "not-created", workload.batch().size(), 0, 0, Map.of(), 0, "the upload never succeeded");
    }
    String body = "{\"input_file_id\":\"" + file.get().get("id").asText()
        + "\",\"endpoint\":\"/v1/completions\",\"completion_window\":\"24h\"}";
    Optional<JsonNode> created = retry("create", url -> Http.postJson(url + "/v1/batches", body));
    if (created.isEmpty()) {
      return new BatchLog(null, "not-created", workload.batch().size(), 0, 0, Map.of(), 0, "no node created the batch");
    }
    String id = created.get().get("id").asText();
    log.info("chaos batch created id={} lines={}", id, workload.batch().size());
    JsonNode last = created.get();
    while (Instant.now().isBefore(deadline) && !terminal(last.path("status").asText())) {
      Poll.pause(500);
      last = retry("poll", url -> Http.get(url + "/v1/batches/" + id)).orElse(last);
    }
    String status = last.path("status").asText();
    JsonNode counts = last.path("request_counts");
    Map<String, String> outputs = new HashMap<>();
    int errorLines = 0;
    if (last.hasNonNull("output_file_id")) {
      String fileId = last.get("output_file_id").asText();
      Optional<Http.Reply> content = retryRaw(url -> Http.get(url + "/v1/files/" + fileId + "/content"));
      content.ifPresent(c -> c.body().lines().filter(l -> !l.isBlank()).forEach(l -> {
        JsonNode line = Http.parse(l);
        if (line != null) {
          outputs.put(line.path("custom_id").asText(), line.at("/response/body/choices/0/text").asText());
        }
      }));
    }
    if (last.hasNonNull("error_file_id")) {
      String fileId = last.get("error_file_id").asText();
      errorLines = (int) retryRaw(url -> Http.get(url + "/v1/files/" + fileId + "/content"))
          .map(c -> c.body().lines().filter(l -> !l.isBlank()).count()).orElse(0L).longValue();
    }
    log.info("chaos batch ended id={} status={} completed={} failed={} outputs={}", id, status,
        counts.path("completed").asInt(), counts.path("failed").asInt(), outputs.size());
    return new BatchLog(id, status, counts.path("total").asInt(), counts.path("completed").asInt(),
        counts.path("failed").asInt(), Map.copyOf(outputs), errorLines,
        terminal(status) ? "" : "still " + status + " at the deadline");
  }

  static boolean terminal(String status) {
    return status.equals("completed") || status.equals("failed") || status.equals("cancelled")
        || status.equals("expired");
  }

  private Optional<JsonNode> retry(String step, Function<String, Optional<Http.Reply>> call) {
    return retryRaw(call).map(Http.Reply::json).or(() -> {
      log.warn("chaos batch step failed step={}", step);
      return Optional.empty();
    });
  }

  /** The first 2xx answer from any node, trying them in turn until the deadline. */
  private Optional<Http.Reply> retryRaw(Function<String, Optional<Http.Reply>> call) {
    for (int i = 0; Instant.now().isBefore(deadline); i++) {
      Optional<Http.Reply> r = call.apply(nodes.pick(i));
      if (r.isPresent() && r.get().ok()) {
        return r;
      }
      Poll.pause(300);
    }
    return Optional.empty();
  }

  private static Optional<Http.Reply> upload(String url, String jsonl) {
    String boundary = "chaos" + UUID.randomUUID();
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nbatch\r\n")
        .getBytes(StandardCharsets.UTF_8));
    body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"chaos.jsonl\""
        + "\r\nContent-Type: application/jsonl\r\n\r\n").getBytes(StandardCharsets.UTF_8));
    body.writeBytes(jsonl.getBytes(StandardCharsets.UTF_8));
    body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
    return Http.send(HttpRequest.newBuilder(URI.create(url + "/v1/files")).timeout(Http.REQUEST_TIMEOUT)
        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build());
  }
}
