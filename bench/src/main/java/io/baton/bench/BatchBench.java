package io.baton.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * One OpenAI-style batch of many lines on one node, end to end over HTTP: upload the JSONL input
 * (purpose=batch), create the batch, poll it to completion, download the output file and check every
 * line answered 200 under a distinct custom_id. Simulated GPU time is off by default, so the figure
 * is the orchestration's own cost per line: sessions placed, journalled in Cassandra and followed.
 */
@Command(name = "batch", mixinStandardHelpOptions = true,
    description = "A batch of N chat completion lines through /v1/files and /v1/batches on one node.")
final class BatchBench implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Option(names = "--lines", defaultValue = "10000", description = "Lines in the batch.")
  int lines;

  @Option(names = "--max-tokens", defaultValue = "4", description = "max_tokens of each line.")
  int maxTokens;

  @Option(names = "--decode-per-token", defaultValue = "0ms", description = "Simulated decode step.")
  String decodePerToken;

  @Option(names = "--prefill-per-token", defaultValue = "0us", description = "Simulated prefill per prompt token.")
  String prefillPerToken;

  @Option(names = "--sessions-per-gpu", defaultValue = "32", description = "Concurrent sessions per simulated GPU.")
  int sessionsPerGpu;

  @Option(names = "--timeout-minutes", defaultValue = "60", description = "Give up waiting after this long.")
  int timeoutMinutes;

  @Option(names = "--set", split = ",", description = "Extra node settings, key=value.")
  List<String> extra = new ArrayList<>();

  private final HttpClient http = HttpClient.newHttpClient();
  private String base;

  @Override
  public Integer call() throws Exception {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    try (BenchCassandra cassandra = new BenchCassandra()) {
      Map<String, Object> config = new HashMap<>(Map.of(
          "baton.workers.engine.timing.decode-per-token", decodePerToken,
          "baton.workers.engine.timing.prefill-per-token", prefillPerToken,
          "baton.workers.agent.sessions-per-gpu", sessionsPerGpu));
      extra.forEach(kv -> config.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1)));
      try (BenchNode node = BenchNode.start(cassandra, "batch", config)) {
        base = node.node.httpAddress();
        long heapBefore = heapAfterGc(memory);
        byte[] input = input();
        long t0 = System.nanoTime();
        JsonNode file = JSON.readTree(upload(input));
        String fileId = file.get("id").asText();
        double uploadSeconds = (System.nanoTime() - t0) / 1e9;
        System.err.printf("bench: uploaded %d lines (%.1f MiB) as %s in %.1f s%n", lines, input.length / 1048576.0,
            fileId, uploadSeconds);
        long t1 = System.nanoTime();
        JsonNode batch = send("POST", "/v1/batches", "{\"input_file_id\":\"" + fileId
            + "\",\"endpoint\":\"/v1/chat/completions\",\"completion_window\":\"24h\"}");
        String batchId = batch.get("id").asText();
        long deadline = t1 + timeoutMinutes * 60_000_000_000L;
        JsonNode last = batch;
        while (System.nanoTime() < deadline) {
          Thread.sleep(1000);
          last = send("GET", "/v1/batches/" + batchId, null);
          String status = last.get("status").asText();
          System.err.printf("bench: %6.0f s %s %s%n", (System.nanoTime() - t1) / 1e9, status,
              last.get("request_counts"));
          if (Set.of("completed", "failed", "expired", "cancelled").contains(status)) {
            break;
          }
        }
        double seconds = (System.nanoTime() - t1) / 1e9;
        String status = last.get("status").asText();
        int verified = status.equals("completed") ? verify(last.get("output_file_id").asText()) : 0;
        long heapAfter = heapAfterGc(memory);
        System.out.printf("Batch of %d chat completion lines, max_tokens %d, simulated prefill %s/token and decode"
            + " %s/token, %d sessions per GPU, on one node (embedded Cassandra on the same box); upload %.1f s"
            + " not counted.%n%n", lines, maxTokens, prefillPerToken, decodePerToken, sessionsPerGpu, uploadSeconds);
        System.out.println("| lines | max_tokens | status | completed | failed | seconds | lines/s |"
            + " output lines verified | node heap after GC, before / after |");
        System.out.println("|---:|---:|---|---:|---:|---:|---:|---:|---:|");
        System.out.printf("| %d | %d | %s | %d | %d | %.1f | %.1f | %d | %.0f / %.0f MiB |%n", lines, maxTokens,
            status, last.at("/request_counts/completed").asInt(), last.at("/request_counts/failed").asInt(), seconds,
            last.at("/request_counts/completed").asInt() / seconds, verified, heapBefore / 1048576.0,
            heapAfter / 1048576.0);
        return status.equals("completed") && verified == lines ? 0 : 1;
      }
    }
  }

  private byte[] input() {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < lines; i++) {
      b.append("{\"custom_id\":\"req-").append(i).append("\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\","
          + "\"body\":{\"model\":\"").append(BenchNode.MODEL).append("\",\"messages\":[{\"role\":\"user\","
          + "\"content\":\"batch line ").append(i).append("\"}],\"max_tokens\":").append(maxTokens)
          .append(",\"seed\":").append(1000 + i).append("}}\n");
    }
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** Output lines with status 200 under distinct custom_ids; throws if any line is otherwise. */
  private int verify(String outputFileId) throws Exception {
    byte[] body = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/files/" + outputFileId + "/content"))
        .build(), HttpResponse.BodyHandlers.ofByteArray()).body();
    Set<String> ids = new HashSet<>();
    int ok = 0;
    for (String line : new String(body, StandardCharsets.UTF_8).split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      JsonNode l = JSON.readTree(line);
      if (l.at("/response/status_code").asInt() == 200 && ids.add(l.get("custom_id").asText())) {
        ok++;
      } else {
        System.err.println("bench: bad output line: " + line);
      }
    }
    return ok;
  }

  private String upload(byte[] content) throws Exception {
    String boundary = "baton" + UUID.randomUUID();
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nbatch\r\n")
        .getBytes(StandardCharsets.UTF_8));
    body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"bench.jsonl\""
        + "\r\nContent-Type: application/jsonl\r\n\r\n").getBytes(StandardCharsets.UTF_8));
    body.write(content);
    body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/files"))
        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException("upload refused: " + r.statusCode() + " " + r.body());
    }
    return r.body();
  }

  private JsonNode send(String method, String path, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path));
    b = body == null ? b.method(method, HttpRequest.BodyPublishers.noBody())
        : b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() / 100 != 2) {
      throw new IllegalStateException(method + " " + path + ": " + r.statusCode() + " " + r.body());
    }
    return JSON.readTree(r.body());
  }

  private static long heapAfterGc(MemoryMXBean memory) {
    for (int i = 0; i < 3; i++) {
      memory.gc();
    }
    return memory.getHeapMemoryUsage().getUsed();
  }
}
