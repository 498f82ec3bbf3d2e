package io.baton.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/**
 * The suite's one HTTP client, shared by every workload client, injector and checker. Short
 * timeouts everywhere: a killed or SIGSTOPped node must cost a client seconds, never the run.
 */
final class Http {
  static final ObjectMapper JSON = new ObjectMapper();
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
  /** Long enough for a node's own 10 s ask timeout to answer first, with its 503, on a slow box. */
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(12);

  static final HttpClient CLIENT = HttpClient.newBuilder()
      .connectTimeout(CONNECT_TIMEOUT)
      .version(HttpClient.Version.HTTP_1_1)
      .build();

  /** The cluster's admin token, sent with every /admin and /cluster (management port) request; set once when the suite's cluster starts. */
  private static volatile String adminToken = "";

  private Http() {}

  static void useAdminToken(String token) {
    adminToken = token == null ? "" : token;
  }

  /** A status and a parsed JSON body (null when the body is not JSON). */
  record Reply(int status, JsonNode json, String body) {
    boolean ok() {
      return status >= 200 && status < 300;
    }
  }

  static Optional<Reply> get(String url) {
    return send(request(url).GET().build());
  }

  static Optional<Reply> postJson(String url, String json) {
    return send(request(url).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json)).build());
  }

  private static HttpRequest.Builder request(String url) {
    URI uri = URI.create(url);
    HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT);
    String token = adminToken;
    if ((uri.getPath().startsWith("/admin") || uri.getPath().startsWith("/cluster")) && !token.isEmpty()) {
      builder.header("Authorization", "Bearer " + token);
    }
    return builder;
  }

  /** Empty when the node could not be reached or did not answer in time: the caller decides whether to retry. */
  static Optional<Reply> send(HttpRequest request) {
    try {
      HttpResponse<String> r = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
      return Optional.of(new Reply(r.statusCode(), parse(r.body()), r.body()));
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  static JsonNode parse(String body) {
    try {
      return body == null || body.isBlank() ? null : JSON.readTree(body);
    } catch (IOException e) {
      return null;
    }
  }

  static String write(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
