package io.baton.orchestrator.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.baton.orchestrator.BatonNode;
import io.baton.orchestrator.TestNodes;
import io.baton.persistence.testing.CassandraTestExtension;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The outside review's probes against a real node with API keys and an admin token: tenants see
 * only their own sessions, refused requests give their slot back, resumed streams count against
 * it, out-of-range resume points and malformed bodies are 400s, /admin needs its own token, and
 * pages from other origins are refused. Each assertion failed before its fix.
 */
@ExtendWith(CassandraTestExtension.class)
class SecurityIT {
  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient HTTP = HttpClient.newHttpClient();
  static final String ADMIN = "admin-secret-for-tests";
  static BatonNode node;

  @BeforeAll
  static void start() throws Exception {
    node = TestNodes.start(TestNodes.nodeId("security"), Map.of(
        "baton.http.api-keys", "alice:sk-a,bob:sk-b,carol:sk-c,dave:sk-d,erin:sk-e",
        "baton.http.limits.storage-per-key", "48k",
        "baton.http.admin-token", ADMIN,
        "baton.http.limits.max-streams-per-key", 2,
        "baton.workers.engine.timing.decode-per-token", "20ms"));
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.close();
    }
  }

  static HttpRequest.Builder at(String path, String key) {
    return HttpRequest.newBuilder(URI.create(node.httpAddress() + path)).header("Authorization", "Bearer " + key);
  }

  static HttpRequest post(String path, String key, String body) {
    return at(path, key).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
  }

  static HttpResponse<String> send(HttpRequest request) throws Exception {
    return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
  }

  static JsonNode error(HttpResponse<String> r) throws Exception {
    return JSON.readTree(r.body()).get("error");
  }

  static String completion(int maxTokens, boolean stream) {
    return "{\"model\":\"baton-small\",\"prompt\":\"the GPU\",\"max_tokens\":" + maxTokens + ",\"stream\":" + stream
        + "}";
  }

  @Test
  void anotherTenantFindsNoneOfASessionAndCannotCancelIt() throws Exception {
    HttpResponse<InputStream> open = HTTP.send(post("/v1/completions", "sk-a", completion(150, true)),
        HttpResponse.BodyHandlers.ofInputStream());
    assertEquals(200, open.statusCode());
    String id = open.headers().firstValue("x-baton-session-id").orElseThrow();
    try (InputStream body = open.body()) {
      for (String path : List.of("", "/events", "/stream")) {
        HttpResponse<String> r = send(at("/v1/sessions/" + id + path, "sk-b").GET().build());
        assertEquals(404, r.statusCode(), path);
        assertEquals("session_not_found", error(r).get("code").asText(), path);
      }
      HttpResponse<String> cancel = send(at("/v1/sessions/" + id, "sk-b").DELETE().build());
      assertEquals(404, cancel.statusCode());
      HttpResponse<String> own = send(at("/v1/sessions/" + id, "sk-a").GET().build());
      assertEquals(200, own.statusCode());
      assertNotEquals("cancelled", JSON.readTree(own.body()).get("status").asText());
      body.readAllBytes();
    }
  }

  static HttpResponse<String> upload(String key, String content) throws Exception {
    String boundary = "baton" + UUID.randomUUID();
    String body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nbatch\r\n"
        + "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"in.jsonl\"\r\n"
        + "Content-Type: application/jsonl\r\n\r\n" + content + "\r\n--" + boundary + "--\r\n";
    return send(at("/v1/files", key).header("Content-Type", "multipart/form-data; boundary=" + boundary)
        .POST(HttpRequest.BodyPublishers.ofString(body)).build());
  }

  @Test
  void anotherTenantFindsNoneOfAFileOrBatch() throws Exception {
    String line = "{\"custom_id\":\"a\",\"method\":\"POST\",\"url\":\"/v1/completions\",\"body\":"
        + completion(2, false) + "}\n";
    HttpResponse<String> uploaded = upload("sk-a", line);
    assertEquals(200, uploaded.statusCode(), uploaded.body());
    String file = JSON.readTree(uploaded.body()).get("id").asText();
    for (String path : List.of("/v1/files/" + file, "/v1/files/" + file + "/content")) {
      HttpResponse<String> r = send(at(path, "sk-b").GET().build());
      assertEquals(404, r.statusCode(), path);
      assertEquals("file_not_found", error(r).get("code").asText(), path);
    }
    assertEquals(404, send(at("/v1/files/" + file, "sk-b").DELETE().build()).statusCode());
    assertFalse(send(at("/v1/files", "sk-b").GET().build()).body().contains(file), "bob's file listing");
    assertTrue(send(at("/v1/files", "sk-a").GET().build()).body().contains(file), "alice's file listing");

    String create = "{\"input_file_id\":\"" + file + "\",\"endpoint\":\"/v1/completions\","
        + "\"completion_window\":\"24h\"}";
    HttpResponse<String> borrowed = send(post("/v1/batches", "sk-b", create));
    assertEquals(404, borrowed.statusCode(), "a batch over another tenant's file");
    assertEquals("input_file_id", error(borrowed).get("param").asText());
    HttpResponse<String> created = send(post("/v1/batches", "sk-a", create));
    assertEquals(200, created.statusCode(), created.body());
    String batch = JSON.readTree(created.body()).get("id").asText();
    assertEquals(404, send(at("/v1/batches/" + batch, "sk-b").GET().build()).statusCode());
    assertEquals(404, send(post("/v1/batches/" + batch + "/cancel", "sk-b", "")).statusCode());
    assertFalse(send(at("/v1/batches", "sk-b").GET().build()).body().contains(batch), "bob's batch listing");
    HttpResponse<String> own = send(at("/v1/batches/" + batch, "sk-a").GET().build());
    assertEquals(200, own.statusCode());
    assertNotEquals("cancelling", JSON.readTree(own.body()).get("status").asText());
    assertEquals(404, send(at("/v1/batches/not-a-batch", "sk-a").GET().build()).statusCode());
  }

  static long storedChunks() {
    String[] contact = CassandraTestExtension.cassandra().contactPoint().split(":");
    try (CqlSession cql = CqlSession.builder().addContactPoint(new InetSocketAddress(contact[0],
        Integer.parseInt(contact[1]))).withLocalDatacenter("datacenter1").build()) {
      return cql.execute("SELECT COUNT(*) FROM baton.file_chunks").one().getLong(0);
    }
  }

  @Test
  void uploadsStayWithinTheTenantsQuotaAndARefusedOneLeavesNothing() throws Exception {
    assertEquals(200, upload("sk-e", "a".repeat(30 * 1024)).statusCode());
    long chunks = storedChunks();
    HttpResponse<String> over = upload("sk-e", "b".repeat(30 * 1024));
    assertEquals(413, over.statusCode(), over.body());
    assertEquals(chunks, storedChunks(), "the refused upload's chunks are gone");
    HttpResponse<String> badPurpose = send(at("/v1/files", "sk-e").header("Content-Type",
        "multipart/form-data; boundary=x").POST(HttpRequest.BodyPublishers.ofString("--x\r\nContent-Disposition:"
        + " form-data; name=\"file\"; filename=\"f\"\r\n\r\nabc\r\n--x--\r\n")).build());
    assertEquals(400, badPurpose.statusCode(), badPurpose.body());
    assertEquals(chunks, storedChunks(), "an upload without a purpose leaves no chunks");
    assertEquals(200, upload("sk-e", "c".repeat(18 * 1024)).statusCode(), "exactly up to the quota");
    assertEquals(429, upload("sk-e", "d").statusCode(), "the quota is used up");
    assertEquals(200, upload("sk-a", "e".repeat(1024)).statusCode(), "another key has its own quota");
  }

  @Test
  void malformedAndUnknownSessionIdsAreNotFound() throws Exception {
    for (String id : List.of("x", "cmpl-zz", "batch_1-req-1", "cmpl-" + "0".repeat(32))) {
      HttpResponse<String> r = send(at("/v1/sessions/" + id, "sk-a").GET().build());
      assertEquals(404, r.statusCode(), id);
      assertEquals("session_not_found", error(r).get("code").asText(), id);
    }
  }

  @Test
  void refusedRequestsGiveTheirSlotsBack() throws Exception {
    for (int i = 0; i < 3; i++) {
      assertEquals(404, send(post("/v1/completions", "sk-c", "{\"model\":\"no-such-model\",\"prompt\":\"x\"}"))
          .statusCode());
      assertEquals(400, send(post("/v1/completions", "sk-c", "{\"model\":\"baton-small\",\"prompt\":\"\"}"))
          .statusCode());
    }
    // Two slots: both streams are admitted, a third request waits for one of them.
    List<InputStream> streams = new ArrayList<>();
    try {
      for (int i = 0; i < 2; i++) {
        HttpResponse<InputStream> r = HTTP.send(post("/v1/completions", "sk-c", completion(150, true)),
            HttpResponse.BodyHandlers.ofInputStream());
        streams.add(r.body());
        assertEquals(200, r.statusCode(), "stream " + i + " after six refused requests");
      }
      assertEquals(429, send(post("/v1/completions", "sk-c", completion(2, false))).statusCode());
    } finally {
      for (InputStream s : streams) {
        s.readAllBytes();
        s.close();
      }
    }
  }

  @Test
  void aResumedStreamHoldsASlotLikeTheFirst() throws Exception {
    HttpResponse<InputStream> first = HTTP.send(post("/v1/completions", "sk-d", completion(150, true)),
        HttpResponse.BodyHandlers.ofInputStream());
    String id = first.headers().firstValue("x-baton-session-id").orElseThrow();
    HttpResponse<InputStream> second = HTTP.send(post("/v1/completions", "sk-d", completion(150, true)),
        HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream a = first.body(); InputStream b = second.body()) {
      assertEquals(200, second.statusCode());
      HttpResponse<String> resumed = send(at("/v1/sessions/" + id + "/stream", "sk-d").GET().build());
      assertEquals(429, resumed.statusCode());
      a.readAllBytes();
      b.readAllBytes();
    }
  }

  @Test
  void aResumePointOutsideTheSessionIsA400NamingIt() throws Exception {
    HttpResponse<String> done = send(post("/v1/completions", "sk-a", completion(3, false)));
    String id = done.headers().firstValue("x-baton-session-id").orElseThrow();
    HttpResponse<String> overflow = send(at("/v1/sessions/" + id + "/stream", "sk-a")
        .header("Last-Event-ID", "2147483647").GET().build());
    assertEquals(400, overflow.statusCode());
    assertEquals("Last-Event-ID", error(overflow).get("param").asText());
    HttpResponse<String> negative = send(at("/v1/sessions/" + id + "/stream?after=-2", "sk-a").GET().build());
    assertEquals(400, negative.statusCode());
    assertEquals("after", error(negative).get("param").asText());
    assertEquals(200, send(at("/v1/sessions/" + id + "/stream?after=1", "sk-a").GET().build()).statusCode());
  }

  @Test
  void unsupportedParametersAndMalformedBodiesAreNamed400s() throws Exception {
    Map<String, String> params = Map.of(
        "stop", "{\"model\":\"baton-small\",\"prompt\":\"x\",\"stop\":\"" + "s".repeat(300) + "\"}",
        "logprobs", "{\"model\":\"baton-small\",\"prompt\":\"x\",\"logprobs\":true}",
        "tools", "{\"model\":\"baton-small\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],"
            + "\"tools\":[{\"type\":\"function\"}]}",
        "max_completion_tokens", "{\"model\":\"baton-small\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],"
            + "\"max_completion_tokens\":0}",
        "frobnicate", "{\"model\":\"baton-small\",\"prompt\":\"x\",\"frobnicate\":1}");
    for (Map.Entry<String, String> p : params.entrySet()) {
      String path = p.getValue().contains("messages") ? "/v1/chat/completions" : "/v1/completions";
      HttpResponse<String> r = send(post(path, "sk-a", p.getValue()));
      assertEquals(400, r.statusCode(), p.getKey());
      assertEquals(p.getKey(), error(r).get("param").asText(), p.getKey());
    }
    assertEquals(200, send(post("/v1/completions", "sk-a",
        "{\"model\":\"baton-small\",\"prompt\":\"x\",\"max_tokens\":2,\"logprobs\":false,\"echo\":false}")).statusCode(),
        "a neutral value is accepted");
    HttpResponse<String> trailing = send(post("/v1/completions", "sk-a", completion(2, false) + " {}"));
    assertEquals(400, trailing.statusCode());
    assertEquals("invalid_json", error(trailing).get("code").asText());
    byte[] badUtf8 = "{\"model\":\"baton-small\",\"prompt\":\"\u00ff\"}".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    HttpResponse<String> notUtf8 = send(at("/v1/completions", "sk-a").header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(badUtf8)).build());
    assertEquals(400, notUtf8.statusCode());
    HttpResponse<String> form = send(at("/v1/completions", "sk-a").header("Content-Type", "text/plain")
        .POST(HttpRequest.BodyPublishers.ofString(completion(2, false))).build());
    assertEquals(415, form.statusCode());
  }

  @Test
  void adminNeedsTheAdminTokenNotAnApiKey() throws Exception {
    assertEquals(401, send(HttpRequest.newBuilder(URI.create(node.httpAddress() + "/admin/workers")).build())
        .statusCode());
    assertEquals(401, send(at("/admin/workers", "sk-a").GET().build()).statusCode());
    assertEquals(200, send(at("/admin/workers", ADMIN).GET().build()).statusCode());
  }

  @Test
  void pagesFromOtherOriginsAreRefused() throws Exception {
    HttpResponse<String> post = send(HttpRequest.newBuilder(URI.create(node.httpAddress() + "/v1/completions"))
        .header("Authorization", "Bearer sk-a").header("Content-Type", "application/json")
        .header("Origin", "http://evil.example").POST(HttpRequest.BodyPublishers.ofString(completion(2, false)))
        .build());
    assertEquals(403, post.statusCode());
    assertEquals("cross_origin_refused", error(post).get("code").asText());
    assertEquals(403, send(at("/v1/models", "sk-a").header("Sec-Fetch-Site", "cross-site").GET().build())
        .statusCode());
    assertEquals(200, send(at("/v1/models", "sk-a").header("Sec-Fetch-Site", "same-origin").GET().build())
        .statusCode());
  }
}
