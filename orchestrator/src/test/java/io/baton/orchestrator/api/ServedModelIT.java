package io.baton.orchestrator.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.baton.orchestrator.BatonNode;
import io.baton.orchestrator.TestNodes;
import io.baton.orchestrator.engines.EngineProcesses;
import io.baton.persistence.testing.CassandraTestExtension;
import io.baton.workers.engine.HfTokenizer;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A model Baton knows only by its tokenizer.json, served by an engine server process, as a vLLM
 * server serves a real model: the API encodes with the model's own tokenizer and streams text that
 * equals the generated tokens decoded at once, though its characters span several tokens (a
 * byte-level BPE, one byte per token); a resumed stream continues with the same text; a chat is
 * rendered by the model's configured format, and refused for a model that has none.
 */
@ExtendWith(CassandraTestExtension.class)
class ServedModelIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final Path TOKENIZER = Path.of("../workers/src/test/resources/tokenizers/bytes-bpe.json")
      .toAbsolutePath().normalize();
  private static final String REQUEST = "{\"model\":\"bytes-bpe\",\"prompt\":\"héllo wörld, 東京\",\"max_tokens\":40,"
      + "\"temperature\":0%s}";
  private static EngineProcesses engines;
  private static BatonNode node;
  private static String engineUrl;

  @BeforeAll
  static void start() throws Exception {
    engines = new EngineProcesses();
    String host = "hf-" + UUID.randomUUID().toString().substring(0, 8);
    EngineProcesses.Launched engine = engines.launch("baton-small", "GPU-" + host, "0000:3b:00",
        Map.of("baton.workers.engine.timing.decode-per-token", "2ms"), Path.of("target/engine-logs", host, "gpu0.log"),
        Duration.ofSeconds(60));
    engineUrl = engine.url();
    node = TestNodes.start(TestNodes.nodeId("served"), Map.of(
        "baton.workers.models", List.of(
            Map.of("id", "bytes-bpe", "tokenizer", TOKENIZER.toString(), "max-context", 1024,
                "chat", Map.of("message", "<|im_start|>{role}\n{content}<|im_end|>\n",
                    "generation-prompt", "<|im_start|>assistant\n")),
            Map.of("id", "bytes-bpe-plain", "tokenizer", TOKENIZER.toString(), "max-context", 1024)),
        "baton.workers.gpus", List.of(Map.of("host", host, "index", 0, "model", "bytes-bpe",
            "engine", Map.of("kind", "baton", "url", engine.url(), "served-model", "baton-small")))));
  }

  @AfterAll
  static void stop() throws Exception {
    if (node != null) {
      node.close();
    }
    engines.close();
  }

  private static HttpResponse<String> post(String path, String body) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(node.httpAddress() + path))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static List<SseEvents.Event> read(HttpRequest.Builder request) throws Exception {
    HttpResponse<InputStream> r = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    assertEquals(200, r.statusCode());
    try (SseEvents events = new SseEvents(r.body())) {
      return events.toDone();
    }
  }

  @Test
  void theModelsTokenizerEncodesThePromptAndTheStreamDecodesLikeTheWholeAnswer() throws Exception {
    HttpResponse<String> models = HTTP.send(HttpRequest.newBuilder(URI.create(node.httpAddress() + "/v1/models"))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertTrue(models.body().contains("\"bytes-bpe\""), models.body());

    HttpResponse<String> whole = post("/v1/completions", String.format(REQUEST, ""));
    assertEquals(200, whole.statusCode(), whole.body());
    JsonNode answer = JSON.readTree(whole.body());
    // The prompt went in as the tokenizer's ids: one per UTF-8 byte of the text.
    assertEquals("héllo wörld, 東京".getBytes(StandardCharsets.UTF_8).length,
        answer.at("/usage/prompt_tokens").asInt());
    // What the engine generates for those ids, asked directly: Baton's text must be exactly its decoding.
    byte[] prompt = "héllo wörld, 東京".getBytes(StandardCharsets.UTF_8);
    StringBuilder ids = new StringBuilder();
    for (byte p : prompt) {
      ids.append(ids.length() == 0 ? "" : ",").append(p & 0xff);
    }
    HttpResponse<String> direct = HTTP.send(HttpRequest.newBuilder(URI.create(engineUrl + "/v1/completions"))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
            "{\"model\":\"baton-small\",\"prompt\":[" + ids + "],\"max_tokens\":40,\"temperature\":0,"
                + "\"return_token_ids\":true}")).build(), HttpResponse.BodyHandlers.ofString());
    List<Integer> tokens = new ArrayList<>();
    JSON.readTree(direct.body()).at("/choices/0/token_ids").forEach(t -> tokens.add(t.asInt()));
    assertEquals(40, tokens.size(), direct.body());
    String decoded = HfTokenizer.load(TOKENIZER).decode(tokens.stream().mapToInt(Integer::intValue).toArray());
    assertEquals(decoded, answer.at("/choices/0/text").asText());

    List<SseEvents.Event> streamed = read(HttpRequest.newBuilder(URI.create(node.httpAddress() + "/v1/completions"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(String.format(REQUEST, ",\"stream\":true"))));
    assertEquals(decoded, SseEvents.text(streamed), "greedy: the same tokens, streamed as the same text");
  }

  @Test
  void aResumedStreamContinuesWithTheSameText() throws Exception {
    HttpResponse<String> first = post("/v1/completions", String.format(REQUEST, ",\"stream\":true"));
    String sessionId = first.headers().firstValue("x-baton-session-id").orElseThrow();
    List<SseEvents.Event> all = read(HttpRequest.newBuilder(
        URI.create(node.httpAddress() + "/v1/sessions/" + sessionId + "/stream")));
    for (int cut : new int[] {0, 7, 21}) {
      List<SseEvents.Event> resumed = read(HttpRequest.newBuilder(
          URI.create(node.httpAddress() + "/v1/sessions/" + sessionId + "/stream")).header("Last-Event-ID", "" + cut));
      List<String> expected = all.stream().filter(e -> e.id() != null && e.index() > cut).map(SseEvents.Event::text)
          .toList();
      List<String> got = resumed.stream().filter(e -> e.id() != null && e.index() > cut).map(SseEvents.Event::text)
          .toList();
      assertEquals(expected, got, "resumed after token " + cut);
    }
  }

  @Test
  void aChatIsRenderedByTheModelsFormatAndRefusedForAModelWithoutOne() throws Exception {
    HttpResponse<String> chat = post("/v1/chat/completions", "{\"model\":\"bytes-bpe\",\"messages\":["
        + "{\"role\":\"system\",\"content\":\"Be brief.\"},{\"role\":\"user\",\"content\":\"héllo\"}],"
        + "\"max_tokens\":8,\"temperature\":0}");
    assertEquals(200, chat.statusCode(), chat.body());
    String rendered = "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nhéllo<|im_end|>\n"
        + "<|im_start|>assistant\n";
    assertEquals(rendered.getBytes(StandardCharsets.UTF_8).length, JSON.readTree(chat.body()).at("/usage/prompt_tokens")
        .asInt(), "the prompt is the format's rendering, one token per byte");

    HttpResponse<String> refused = post("/v1/chat/completions",
        "{\"model\":\"bytes-bpe-plain\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    assertEquals(400, refused.statusCode(), refused.body());
    assertEquals("model", JSON.readTree(refused.body()).at("/error/param").asText());
    assertTrue(JSON.readTree(refused.body()).at("/error/message").asText().contains("no chat format"), refused.body());
  }
}
