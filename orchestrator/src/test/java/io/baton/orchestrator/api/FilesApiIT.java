package io.baton.orchestrator.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.baton.orchestrator.BatonNode;
import io.baton.orchestrator.TestNodes;
import io.baton.persistence.testing.CassandraTestExtension;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** OpenAI's Files API over real HTTP: multipart upload into Cassandra, list, get, content, delete. */
@ExtendWith(CassandraTestExtension.class)
class FilesApiIT {
  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient HTTP = HttpClient.newHttpClient();
  static BatonNode node;

  @BeforeAll
  static void start() throws Exception {
    node = TestNodes.start(TestNodes.nodeId("files"), Map.of());
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  /** A multipart body as the OpenAI SDKs send it; {@code purpose} may be null to leave it out. */
  static HttpResponse<String> upload(String purpose, String filename, byte[] content) throws Exception {
    String boundary = "baton" + UUID.randomUUID();
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    if (purpose != null) {
      body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\n" + purpose + "\r\n")
          .getBytes(StandardCharsets.UTF_8));
    }
    body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + filename
        + "\"\r\nContent-Type: application/jsonl\r\n\r\n").getBytes(StandardCharsets.UTF_8));
    body.write(content);
    body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
    return HTTP.send(HttpRequest.newBuilder(URI.create(node.httpAddress() + "/v1/files"))
        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build(), HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<byte[]> get(String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(node.httpAddress() + path)).build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  @Test
  void anUploadedFileIsListedServedByteForByteAndDeleted() throws Exception {
    StringBuilder lines = new StringBuilder();
    for (int i = 0; i < 30_000; i++) {
      lines.append("{\"custom_id\":\"r").append(i).append("\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\"}\n");
    }
    byte[] content = lines.toString().getBytes(StandardCharsets.UTF_8); // ~2 MB: several chunks
    HttpResponse<String> created = upload("batch", "input.jsonl", content);
    assertEquals(200, created.statusCode(), created.body());
    JsonNode file = JSON.readTree(created.body());
    String id = file.get("id").asText();
    assertEquals("file", file.get("object").asText());
    assertEquals(content.length, file.get("bytes").asLong());
    assertEquals("input.jsonl", file.get("filename").asText());
    assertEquals("batch", file.get("purpose").asText());

    assertEquals(file, JSON.readTree(get("/v1/files/" + id).body()));
    JsonNode list = JSON.readTree(get("/v1/files").body());
    assertTrue(list.get("data").findValuesAsText("id").contains(id));
    assertArrayEquals(content, get("/v1/files/" + id + "/content").body());

    HttpResponse<String> deleted = HTTP.send(HttpRequest.newBuilder(URI.create(node.httpAddress() + "/v1/files/" + id))
        .DELETE().build(), HttpResponse.BodyHandlers.ofString());
    assertTrue(JSON.readTree(deleted.body()).get("deleted").asBoolean());
    HttpResponse<byte[]> gone = get("/v1/files/" + id);
    assertEquals(404, gone.statusCode());
    assertEquals("file_not_found", JSON.readTree(gone.body()).at("/error/code").asText());
  }

  @Test
  void anUploadWithoutAPurposeIsRefusedAndNotListed() throws Exception {
    HttpResponse<String> refused = upload(null, "x.jsonl", "{}\n".getBytes(StandardCharsets.UTF_8));
    assertEquals(400, refused.statusCode());
    assertEquals("purpose", JSON.readTree(refused.body()).at("/error/param").asText());
    HttpResponse<String> wrong = upload("banana", "x.jsonl", "{}\n".getBytes(StandardCharsets.UTF_8));
    assertEquals(400, wrong.statusCode());
    assertTrue(JSON.readTree(get("/v1/files").body()).get("data").findValuesAsText("filename").stream()
        .noneMatch("x.jsonl"::equals));
  }
}
