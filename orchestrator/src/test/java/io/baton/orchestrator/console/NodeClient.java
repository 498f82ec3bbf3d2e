package io.baton.orchestrator.console;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;

/** The node's HTTP API as the test reads it beside the browser: the truth the page must show. */
final class NodeClient {
  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient HTTP = HttpClient.newHttpClient();

  private final String base;
  private final String token;

  NodeClient(String base, String token) {
    this.base = base;
    this.token = token;
  }

  /** A streaming completion in flight; close() hangs up. */
  record Stream(String session, java.util.stream.Stream<String> lines, CompletableFuture<Long> read)
      implements AutoCloseable {
    @Override
    public void close() {
      lines.close();
      read.cancel(true);
    }
  }

  Map<String, JsonNode> workers() throws Exception {
    HttpResponse<String> r = HTTP.send(request("/admin/workers").header("Authorization", "Bearer " + token).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    Map<String, JsonNode> rows = new HashMap<>();
    JSON.readTree(r.body()).get("data").forEach(row -> rows.put(row.get("id").asText(), row));
    return rows;
  }

  /** The session as its tenant sees it (the node has no API keys: everyone is "default"). */
  JsonNode session(String id) throws Exception {
    HttpResponse<String> r = HTTP.send(request("/v1/sessions/" + id).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    return JSON.readTree(r.body());
  }

  HttpResponse<String> getWithout(String path) throws Exception {
    return HTTP.send(request(path).build(), HttpResponse.BodyHandlers.ofString());
  }

  Stream stream(int maxTokens) throws Exception {
    HttpResponse<java.util.stream.Stream<String>> r = HTTP.send(request("/v1/completions")
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"baton-small\",\"prompt\":\"Console\",\"max_tokens\":"
            + maxTokens + ",\"stream\":true,\"seed\":3}")).build(), HttpResponse.BodyHandlers.ofLines());
    assertEquals(200, r.statusCode());
    String session = r.headers().firstValue("x-baton-session-id").orElseThrow();
    java.util.stream.Stream<String> lines = r.body();
    // Read on: a stream nobody reads would stall the node's sender.
    CompletableFuture<Long> read = CompletableFuture.supplyAsync(lines::count);
    return new Stream(session, lines, read);
  }

  /** Polls until `value` answers non-null; that answer. */
  <T> T await(Duration timeout, String what, Callable<T> value) {
    return org.awaitility.Awaitility.await().alias(what).atMost(timeout).pollInterval(Duration.ofMillis(20)).until(value, Objects::nonNull);
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
  }
}
