package io.baton.workers.engine.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.baton.workers.engine.GenerationRequest;
import io.baton.workers.engine.SamplingParams;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One {@code POST /v1/completions} as vLLM's OpenAI-compatible server takes it, limited to what a
 * Baton agent sends: the prompt as token ids, {@code max_tokens}, {@code temperature},
 * {@code top_p}, {@code seed}, {@code stream}, {@code stream_options.include_usage} and
 * {@code return_token_ids}. {@code baton_generated_tokens} is Baton's one extension: how many
 * trailing prompt tokens an earlier attempt generated, so the reference engine samples the next
 * token with the index an uninterrupted run would have used (this is what keeps a served resume
 * token-exact). Other engines are never sent it.
 */
record CompletionCall(
    String model,
    List<Integer> prompt,
    int maxTokens,
    SamplingParams sampling,
    boolean stream,
    boolean includeUsage,
    boolean returnTokenIds,
    int generatedTokens) {

  /** A request the engine can run, or why not (as vLLM answers: a 400 with a message). */
  sealed interface Parsed permits Valid, Invalid {}

  record Valid(CompletionCall call) implements Parsed {}

  record Invalid(String message, String param) implements Parsed {}

  static Parsed parse(JsonNode body, String servedModel, int vocab) {
    if (body == null || !body.isObject()) {
      return new Invalid("the body must be a JSON object", null);
    }
    String model = body.path("model").asText(servedModel);
    if (!model.equals(servedModel)) {
      return new Invalid("The model `" + model + "` does not exist.", "model");
    }
    JsonNode prompt = body.path("prompt");
    if (!prompt.isArray() || prompt.isEmpty()) {
      return new Invalid("prompt must be a non-empty list of token ids", "prompt");
    }
    List<Integer> tokens = new ArrayList<>(prompt.size());
    for (JsonNode t : prompt) {
      if (!t.canConvertToInt() || !t.isIntegralNumber() || t.asInt() < 0 || t.asInt() >= vocab) {
        return new Invalid("prompt holds " + t + ", not a token id below " + vocab, "prompt");
      }
      tokens.add(t.asInt());
    }
    int maxTokens = body.path("max_tokens").asInt(16);
    if (maxTokens < 1) {
      return new Invalid("max_tokens must be at least 1", "max_tokens");
    }
    int generated = body.path("baton_generated_tokens").asInt(0);
    if (generated < 0 || generated >= tokens.size()) {
      return new Invalid("baton_generated_tokens must be below the prompt's length", "baton_generated_tokens");
    }
    double temperature = body.path("temperature").asDouble(1.0);
    double topP = body.path("top_p").asDouble(1.0);
    long seed = body.path("seed").asLong(0);
    Optional<String> bad = samplingProblem(temperature, topP);
    if (bad.isPresent()) {
      return new Invalid(bad.get(), bad.get().startsWith("temperature") ? "temperature" : "top_p");
    }
    return new Valid(new CompletionCall(model, List.copyOf(tokens), maxTokens,
        new SamplingParams(temperature, topP, seed), body.path("stream").asBoolean(false),
        body.path("stream_options").path("include_usage").asBoolean(false),
        body.path("return_token_ids").asBoolean(false), generated));
  }

  private static Optional<String> samplingProblem(double temperature, double topP) {
    if (!(temperature >= 0 && temperature <= 2)) {
      return Optional.of("temperature must be between 0 and 2");
    }
    if (!(topP > 0 && topP <= 1)) {
      return Optional.of("top_p must be in (0, 1]");
    }
    return Optional.empty();
  }

  /** The engine's request: the trailing generated tokens are context, and sampling continues after them. */
  GenerationRequest generationRequest() {
    int promptEnd = prompt.size() - generatedTokens;
    return GenerationRequest.recompute(prompt.subList(0, promptEnd), prompt.subList(promptEnd, prompt.size()),
        sampling);
  }
}
