package io.baton.workers.engine.openai;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.baton.workers.engine.EngineCapabilities;
import io.baton.workers.engine.Generation;
import io.baton.workers.engine.GenerationRequest;
import io.baton.workers.engine.InferenceEngine;
import io.baton.workers.engine.ModelInfo;
import io.baton.workers.engine.SamplingParams;
import io.baton.workers.engine.Tokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

/**
 * An engine backed by any OpenAI-compatible server (vLLM, SGLang, llama.cpp, TGI), driven through
 * streaming {@code POST /v1/completions}.
 *
 * <p><b>Resume by recompute.</b> The server's KV cache cannot be exported or imported, so
 * {@link #capabilities()} is {@link EngineCapabilities#recomputeOnly()}. A request carrying
 * generated tokens sends the prompt text followed by the generated text as the prompt of a new
 * completion, asking for {@link OpenAiConfig#maxTokens()} minus the tokens already generated.
 * Temperature, top_p and seed are passed through; the server restarts its random stream on each
 * request, so a sampled resume is not bit-identical to an uninterrupted run (greedy ones usually
 * are, if the server itself is deterministic).
 *
 * <p><b>Tokens.</b> Baton speaks token ids; the server speaks text. The adapter maps them with the
 * {@link Tokenizer} it is given: context ids are decoded to the prompt text, and each streamed text
 * delta is encoded on its own into the ids handed out by {@link Generation#step()}. That is exact
 * only when the tokenizer matches the server's and re-encoding is unambiguous; a real deployment
 * would use the served model's tokenizer (or the server's {@code /tokenize} endpoint, or
 * {@code logprobs}/token-id output where supported). This keeps the adapter simple.
 *
 * <p>{@link #start} sends the request and checks the status before returning, so a refused or
 * failing server surfaces there as {@link OpenAiHttpException}; tokens are then read lazily.
 */
public final class OpenAiHttpEngine implements InferenceEngine {
  static final ObjectMapper JSON = new ObjectMapper();

  private final OpenAiConfig config;
  private final ModelInfo model;
  private final Tokenizer tokenizer;
  private final HttpClient client;

  /**
   * @param model the served model as Baton sees it; its {@code maxContext} caps prompt plus
   *     generated tokens
   * @param tokenizer maps Baton token ids to the server's text and back
   */
  public OpenAiHttpEngine(OpenAiConfig config, ModelInfo model, Tokenizer tokenizer, HttpClient client) {
    if (config == null || model == null || tokenizer == null || client == null) {
      throw new IllegalArgumentException("config, model, tokenizer and client are required");
    }
    this.config = config;
    this.model = model;
    this.tokenizer = tokenizer;
    this.client = client;
  }

  public OpenAiHttpEngine(OpenAiConfig config, ModelInfo model, Tokenizer tokenizer) {
    this(
        config,
        model,
        tokenizer,
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(config.requestTimeout())
            .build());
  }

  @Override
  public ModelInfo model() {
    return model;
  }

  @Override
  public EngineCapabilities capabilities() {
    return EngineCapabilities.recomputeOnly();
  }

  @Override
  public Tokenizer tokenizer() {
    return tokenizer;
  }

  public OpenAiConfig config() {
    return config;
  }

  /**
   * Sends the completion request and returns a generation that streams its tokens.
   *
   * @throws IllegalArgumentException when the request restores KV blocks, a token is outside the
   *     vocabulary, or the context is longer than the model's
   * @throws OpenAiHttpException when the server cannot be reached or answers with a non-2xx status
   */
  @Override
  public OpenAiGeneration start(GenerationRequest request) {
    if (!request.restored().isEmpty()) {
      throw new IllegalArgumentException("this engine cannot import KV blocks; resume by recompute");
    }
    int context = request.contextLength();
    if (context > model.maxContext()) {
      throw new IllegalArgumentException(
          "context of " + context + " tokens exceeds the model's " + model.maxContext());
    }
    // Decoding also validates the ids (IllegalArgumentException for one outside the vocabulary).
    String prompt = tokenizer.decode(request.prompt()) + tokenizer.decode(request.generated());
    int generated = request.generated().size();
    int maxTokens = Math.min(config.maxTokens() - generated, model.maxContext() - context);
    if (maxTokens <= 0) {
      return OpenAiGeneration.finished(tokenizer, context, generated);
    }
    HttpRequest http =
        HttpRequest.newBuilder(config.completionsUri())
            .timeout(config.requestTimeout())
            .header("Content-Type", "application/json")
            .header("Accept", "text/event-stream")
            .POST(HttpRequest.BodyPublishers.ofString(body(prompt, maxTokens, request.sampling())))
            .build();
    HttpResponse<InputStream> response;
    try {
      response = client.send(http, HttpResponse.BodyHandlers.ofInputStream());
    } catch (IOException e) {
      throw new OpenAiHttpException(0, "cannot reach " + config.completionsUri() + ": " + e, null, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new OpenAiHttpException(0, "interrupted while waiting for the server", null, e);
    }
    int status = response.statusCode();
    if (status < 200 || status > 299) {
      throw new OpenAiHttpException(status, "completion request failed", readExcerpt(response.body()));
    }
    return new OpenAiGeneration(tokenizer, context, generated, response.body());
  }

  /** The JSON body of a streaming completion request. */
  String body(String prompt, int maxTokens, SamplingParams sampling) {
    ObjectNode body = JSON.createObjectNode();
    body.put("model", config.model());
    body.put("prompt", prompt);
    body.put("max_tokens", maxTokens);
    body.put("temperature", sampling.temperature());
    body.put("top_p", sampling.topP());
    body.put("seed", sampling.seed());
    body.put("stream", true);
    return body.toString();
  }

  private static String readExcerpt(InputStream in) {
    try (in) {
      byte[] bytes = in.readNBytes(OpenAiHttpException.EXCERPT * 4);
      return new String(bytes, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }
}
