package io.baton.http.openai;

import static java.util.Map.entry;

import com.fasterxml.jackson.databind.JsonNode;
import io.baton.http.BodyFields;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Which of a completion request's top-level fields Baton takes. OpenAI parameters Baton does not
 * implement are accepted only with the value that means "off" (null included), and otherwise
 * refused with a 400 naming them: a client that asks for logprobs or tools must not get a
 * plain completion that silently ignored the request. Unknown fields are refused as OpenAI does.
 */
final class RequestParameters {
  private static final Set<String> BOTH = Set.of("model", "max_tokens", "temperature", "top_p", "n", "seed",
      "stream", "stream_options", "stop", "user", "metadata", "priority");
  private static final Set<String> CHAT = Set.of("messages", "max_completion_tokens");
  private static final Set<String> COMPLETIONS = Set.of("prompt");

  /** Not implemented; each with the test for its neutral value. */
  private static final Map<String, Predicate<JsonNode>> NEUTRAL = Map.ofEntries(
      entry("logit_bias", v -> v.isObject() && v.isEmpty()),
      entry("logprobs", v -> v.isBoolean() && !v.booleanValue()),
      entry("top_logprobs", v -> v.isIntegralNumber() && v.asLong() == 0),
      entry("tools", v -> v.isArray() && v.isEmpty()),
      entry("functions", v -> v.isArray() && v.isEmpty()),
      entry("tool_choice", v -> "none".equals(v.textValue())),
      entry("function_call", v -> "none".equals(v.textValue())),
      entry("parallel_tool_calls", JsonNode::isBoolean),
      entry("response_format", v -> v.isObject() && v.size() == 1 && "text".equals(v.path("type").textValue())),
      entry("echo", v -> v.isBoolean() && !v.booleanValue()),
      entry("best_of", v -> v.isIntegralNumber() && v.asLong() == 1),
      entry("presence_penalty", v -> v.isNumber() && v.asDouble() == 0),
      entry("frequency_penalty", v -> v.isNumber() && v.asDouble() == 0),
      entry("suffix", v -> v.isTextual() && v.textValue().isEmpty()),
      entry("store", v -> v.isBoolean() && !v.booleanValue()),
      entry("service_tier", v -> "auto".equals(v.textValue()) || "default".equals(v.textValue())),
      entry("modalities", v -> v.isArray() && v.size() == 1 && "text".equals(v.get(0).textValue())),
      entry("audio", v -> false),
      entry("prediction", v -> false),
      entry("reasoning_effort", v -> false),
      entry("web_search_options", v -> false));

  private RequestParameters() {}

  static void check(JsonNode body, boolean chat) {
    Set<String> taken = new HashSet<>(BOTH);
    taken.addAll(chat ? CHAT : COMPLETIONS);
    BodyFields.checkParameters(body, taken, NEUTRAL, "to get a plain completion");
  }
}
