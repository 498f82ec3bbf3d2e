package io.baton.workers.engine.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.baton.workers.engine.EngineLostException;
import io.baton.workers.engine.Generation;
import io.baton.workers.engine.GenerationRequest;
import io.baton.workers.engine.ModelInfo;
import io.baton.workers.engine.ReferenceTokenizer;
import io.baton.workers.engine.SamplingParams;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The engine client against each engine kind's wire, replayed over real HTTP from samples written
 * from the engines' documented formats (src/test/resources/engine-wire/README.md): the token ids
 * come out in order and exactly once, the request uses each engine's own field names, and every way
 * a stream can go wrong is told apart (engine lost, engine error, request refused).
 */
class EngineWireContractTest {
  private static final ActorTestKit kit = ActorTestKit.create();
  private static final ModelInfo MODEL = new ModelInfo("my-model", 256, 2, 64, 4, 1024, 16);
  private static ReplayServer server;

  @BeforeAll
  static void start() throws Exception {
    server = new ReplayServer(kit.system());
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
    kit.shutdownTestKit();
  }

  private static RemoteEngine engine(String kind, String url) {
    return new RemoteEngine(new RemoteEngineSettings(EngineKind.of(kind), url, "my-model", Duration.ofSeconds(5), 8,
        null, null), MODEL, new ReferenceTokenizer(256), kit.system());
  }

  private static Generation start(String kind) {
    return engine(kind, server.url()).startAsync(
        GenerationRequest.fresh(List.of(5, 6, 7), new SamplingParams(0, 1, 42)), 3).toCompletableFuture().join();
  }

  private static String sample(String name) throws IOException {
    try (InputStream in = EngineWireContractTest.class.getResourceAsStream("/engine-wire/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource({
      "vllm, vllm-completions-stream.txt",
      "vllm, vllm-completions-stream-logprobs-token-ids.txt",
      "sglang, sglang-generate-stream.txt",
      "sglang, sglang-generate-stream-incremental.txt",
      "llamacpp, llamacpp-completion-stream.txt"})
  void readsEveryTokenIdOnceAndInOrder(String kind, String file) throws IOException {
    server.stream(sample(file));
    Generation generation = start(kind);
    List<Integer> tokens = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Generation.Step step = generation.stepAsync().toCompletableFuture().join();
      assertEquals(i, step.index());
      tokens.add(step.token());
    }
    assertEquals(List.of(11, 12, 13), tokens);
    // The engine said it finished: a fourth step is an error, not a wait.
    CompletionException after = assertThrows(CompletionException.class,
        () -> generation.stepAsync().toCompletableFuture().join());
    assertTrue(after.getCause().getMessage().contains("ended the generation (length)"), after.getCause().getMessage());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "vllm, /v1/completions, vllm-completions.request.json",
      "sglang, /generate, sglang-generate.request.json",
      "llamacpp, /completion, llamacpp-completion.request.json"})
  void asksWithTheEnginesOwnFields(String kind, String path, String file) throws IOException {
    server.stream(sample(kind.equals("vllm") ? "vllm-completions-stream.txt"
        : kind.equals("sglang") ? "sglang-generate-stream.txt" : "llamacpp-completion-stream.txt"));
    start(kind);
    ReplayServer.Seen seen = server.seen();
    assertEquals(path, seen.path());
    // Same names and values as the documented request; Baton sends no stop strings (it ends sessions
    // itself), ignores EOS for the same reason, and sends SGLang's seed only when sampling needs it.
    assertSameFields(EngineDialect.JSON.readTree(sample(file)), seen.body(), "",
        Set.of("stop", "ignore_eos", "sampling_seed"));
    assertEquals(true, seen.body().findValue("ignore_eos").asBoolean());
  }

  private static void assertSameFields(JsonNode documented, JsonNode sent, String at, Set<String> skipped) {
    for (Iterator<Map.Entry<String, JsonNode>> it = documented.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      if (skipped.contains(field.getKey())) {
        continue;
      }
      JsonNode ours = sent.get(field.getKey());
      assertTrue(ours != null, "missing " + at + field.getKey() + " in " + sent);
      if (field.getValue().isObject()) {
        assertSameFields(field.getValue(), ours, at + field.getKey() + ".", skipped);
      } else if (field.getValue().isNumber()) {
        assertEquals(field.getValue().asDouble(), ours.asDouble(), at + field.getKey());
      } else {
        assertEquals(field.getValue(), ours, at + field.getKey());
      }
    }
  }

  @Test
  void llamaCppSkippingATokensIdIsAnErrorNotAShortStream() throws IOException {
    server.stream(sample("llamacpp-completion-stream-utf8-gap.txt"));
    Generation generation = start("llamacpp");
    assertEquals(141334, generation.stepAsync().toCompletableFuture().join().token());
    CompletionException gap = assertThrows(CompletionException.class,
        () -> generation.stepAsync().toCompletableFuture().join());
    assertInstanceOf(IllegalStateException.class, gap.getCause());
    assertTrue(gap.getCause().getMessage().contains("skipped the ids of 1 token"), gap.getCause().getMessage());
  }

  @Test
  void aStreamThatEndsBeforeTheEngineFinishedIsAnEngineLost() throws IOException {
    String whole = sample("vllm-completions-stream.txt");
    server.stream(whole.substring(0, whole.indexOf("data:", whole.indexOf("data:") + 1)));
    Generation generation = start("vllm");
    assertEquals(11, generation.stepAsync().toCompletableFuture().join().token());
    CompletionException lost = assertThrows(CompletionException.class,
        () -> generation.stepAsync().toCompletableFuture().join());
    assertInstanceOf(EngineLostException.class, lost.getCause());
  }

  @Test
  void anErrorInsideTheStreamIsTheEnginesError() {
    server.stream("data: {\"error\":{\"message\":\"CUDA error: an illegal memory access\",\"code\":500}}\n\n"
        + "data: [DONE]\n\n");
    CompletionException error = assertThrows(CompletionException.class,
        () -> start("vllm").stepAsync().toCompletableFuture().join());
    assertInstanceOf(IllegalStateException.class, error.getCause());
    assertTrue(error.getCause().getMessage().contains("illegal memory access"), error.getCause().getMessage());
  }

  @Test
  void aRefusedRequestIsTheRequestsFaultAndAnUnavailableEngineIsLost() {
    server.answer(StatusCodes.BAD_REQUEST, "{\"error\":{\"message\":\"This model's maximum context length is 1024"
        + " tokens.\",\"type\":\"BadRequestError\",\"param\":null,\"code\":400}}");
    CompletionException refused = assertThrows(CompletionException.class, () -> start("vllm"));
    assertInstanceOf(IllegalArgumentException.class, refused.getCause());
    assertTrue(refused.getCause().getMessage().contains("maximum context length"), refused.getCause().getMessage());
    server.answer(StatusCodes.SERVICE_UNAVAILABLE, "{\"error\":{\"code\":503,\"message\":\"Loading model\"}}");
    assertInstanceOf(EngineLostException.class, assertThrows(CompletionException.class, () -> start("llamacpp")).getCause());
  }

  @Test
  void anEngineNobodyListensForIsLost() throws Exception {
    String url;
    try (ReplayServer gone = new ReplayServer(kit.system())) {
      url = gone.url();
    }
    String closed = url;
    CompletionException lost = assertThrows(CompletionException.class, () -> engine("vllm", closed)
        .startAsync(GenerationRequest.fresh(List.of(5), SamplingParams.greedy()), 1).toCompletableFuture().join());
    assertInstanceOf(EngineLostException.class, lost.getCause());
    assertEquals(false, engine("vllm", closed).healthy(Duration.ofSeconds(2)).toCompletableFuture().join());
  }
}
