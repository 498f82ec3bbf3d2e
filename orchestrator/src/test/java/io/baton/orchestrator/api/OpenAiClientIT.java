package io.baton.orchestrator.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The official OpenAI client library (Node, {@link OpenAiNodeClient#VERSION}), unmodified, pointed
 * at a whole node on the real Cassandra by its base URL: a streaming chat completion and a
 * non-streaming completion, each checked against the same request (same seed) sent by plain HTTP,
 * and the batch flow (upload, create, poll to completion, download the output) whose output lines
 * are checked the same way.
 */
@ExtendWith(CassandraTestExtension.class)
class OpenAiClientIT {
  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient HTTP = HttpClient.newHttpClient();
  static final int CHAT_TOKENS = 24;
  static final int COMPLETION_TOKENS = 16;
  static final String CHAT = "{\"model\":\"baton-small\",\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},"
      + "{\"role\":\"user\",\"content\":\"Hello from the OpenAI client\"}],\"max_tokens\":" + CHAT_TOKENS
      + ",\"seed\":11,\"temperature\":0.8}";
  static final String COMPLETION = "{\"model\":\"baton-small\",\"prompt\":\"The GPU\",\"max_tokens\":" + COMPLETION_TOKENS
      + ",\"seed\":5,\"temperature\":0.7}";
  static final int BATCH_LINES = 3;
  static BatonNode node;
  static OpenAiNodeClient client;

  @BeforeAll
  static void start() throws Exception {
    node = TestNodes.start(TestNodes.nodeId("oai-client"), Map.of(
        "baton.workers.engine.timing.decode-per-token", "2ms"));
  }

  /** Each test, not the class, is skipped without Node.js and npm: surefire reports skipped tests only. */
  @BeforeEach
  void installClient() throws Exception {
    client = OpenAiNodeClient.install();
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.close();
    }
  }

  static JsonNode post(String path, String body) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(node.httpAddress() + path))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    return JSON.readTree(r.body());
  }

  @Test
  void theOfficialClientStreamsAChatAndCompletesAPromptWithTheSameTextAsPlainHttp() throws Exception {
    JsonNode seen = JSON.readTree(client.run(node.httpAddress() + "/v1", List.of(CHAT, COMPLETION), 120));

    JsonNode chat = seen.get("chat");
    JsonNode plainChat = post("/v1/chat/completions", CHAT);
    String plainChatText = plainChat.at("/choices/0/message/content").asText();
    assertFalse(plainChatText.isEmpty(), "the reference answer has text");
    assertEquals(plainChatText, chat.get("text").asText(), "streamed through the client = not streamed, same seed");
    assertEquals(1, chat.get("ids").size(), "every chunk of one stream carries one id: " + chat.get("ids"));
    String id = chat.at("/ids/0").asText();
    assertTrue(id.startsWith("chatcmpl-"), id);
    assertEquals("assistant", chat.get("role").asText());
    assertEquals(CHAT_TOKENS, chat.get("contentChunks").asInt(), "one content chunk per token");
    assertEquals("length", chat.get("finishReason").asText());
    assertUsage(chat.get("usage"), plainChat.at("/usage/prompt_tokens").asInt(), CHAT_TOKENS);
    assertTrue(chat.at("/usage/prompt_tokens").asInt() > 0);

    JsonNode completion = seen.get("completion");
    JsonNode plainCompletion = post("/v1/completions", COMPLETION);
    assertTrue(completion.get("id").asText().startsWith("cmpl-"), completion.get("id").asText());
    assertEquals("text_completion", completion.get("object").asText());
    assertFalse(completion.get("text").asText().isEmpty(), "the completion has text");
    assertEquals(plainCompletion.at("/choices/0/text").asText(), completion.get("text").asText());
    assertEquals("length", completion.get("finishReason").asText());
    assertUsage(completion.get("usage"), plainCompletion.at("/usage/prompt_tokens").asInt(), COMPLETION_TOKENS);

    JsonNode session = JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(node.httpAddress()
        + "/v1/sessions/" + id)).build(), HttpResponse.BodyHandlers.ofString()).body());
    assertEquals("completed", session.get("status").asText(), "the client's chat is a Baton session: " + session);
    assertEquals(CHAT_TOKENS, session.get("tokens").asInt());
  }

  static String batchChat(int i) {
    return "{\"model\":\"baton-small\",\"messages\":[{\"role\":\"user\",\"content\":\"SDK batch line " + i
        + "\"}],\"max_tokens\":6,\"seed\":" + (40 + i) + "}";
  }

  @Test
  void theOfficialClientUploadsCreatesPollsAndDownloadsABatchWithTheSameTextAsPlainHttp() throws Exception {
    List<String> bodies = new ArrayList<>();
    for (int i = 0; i < BATCH_LINES; i++) {
      bodies.add(batchChat(i));
    }
    JsonNode batch = JSON.readTree(client.run(node.httpAddress() + "/v1",
        List.of("null", "null", "[" + String.join(",", bodies) + "]"), 120)).get("batch");

    assertTrue(batch.get("fileId").asText().startsWith("file-"), batch.toString());
    assertEquals("batch", batch.get("filePurpose").asText());
    assertEquals("batch", batch.get("object").asText());
    assertEquals("completed", batch.get("status").asText(), batch.toString());
    assertEquals(BATCH_LINES, batch.at("/requestCounts/total").asInt(), batch.toString());
    assertEquals(BATCH_LINES, batch.at("/requestCounts/completed").asInt(), batch.toString());
    assertEquals(0, batch.at("/requestCounts/failed").asInt(), batch.toString());

    List<String> lines = batch.get("output").asText().lines().filter(l -> !l.isBlank()).toList();
    assertEquals(BATCH_LINES, lines.size(), "one output line per input line: " + lines);
    Map<String, JsonNode> byCustomId = new HashMap<>();
    for (String line : lines) {
      JsonNode l = JSON.readTree(line);
      assertEquals(200, l.at("/response/status_code").asInt(), line);
      byCustomId.put(l.get("custom_id").asText(), l);
    }
    for (int i = 0; i < BATCH_LINES; i++) {
      JsonNode line = byCustomId.get("sdk-" + i);
      assertNotNull(line, "custom_id sdk-" + i + " is in the output: " + byCustomId.keySet());
      String plain = post("/v1/chat/completions", batchChat(i)).at("/choices/0/message/content").asText();
      assertFalse(plain.isEmpty(), "the reference answer has text");
      assertEquals(plain, line.at("/response/body/choices/0/message/content").asText(),
          "a batch line downloaded through the client = the same request sent alone");
    }
  }

  private static void assertUsage(JsonNode usage, int promptTokens, int completionTokens) {
    assertEquals(promptTokens, usage.get("prompt_tokens").asInt(), "prompt tokens: " + usage);
    assertEquals(completionTokens, usage.get("completion_tokens").asInt(), "completion tokens: " + usage);
    assertEquals(promptTokens + completionTokens, usage.get("total_tokens").asInt(), "total tokens: " + usage);
  }
}
