package io.baton.http.responses;

import static io.baton.http.BodyFields.bool;
import static io.baton.http.BodyFields.error;
import static io.baton.http.BodyFields.integer;
import static io.baton.http.BodyFields.number;
import static io.baton.http.BodyFields.text;
import static java.util.Map.entry;

import com.fasterxml.jackson.databind.JsonNode;
import io.baton.actors.Printable;
import io.baton.actors.app.ChatFormat;
import io.baton.actors.app.SessionRequest;
import io.baton.actors.session.ResponseSpec;
import io.baton.actors.session.SessionSpec;
import io.baton.http.BodyFields;
import io.baton.http.HttpSettings;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * A {@code POST /v1/responses} body, checked field by field. Text in, text out: parameters for
 * tools, reasoning, structured output and the like are accepted only with their neutral value, and
 * otherwise refused with a 400 naming them, so a client never gets an answer that silently ignored
 * what it asked for.
 */
record ResponseRequest(SessionRequest session, boolean stream) {
  private static final Set<String> ROLES = Set.of("user", "system", "developer", "assistant");
  private static final Set<String> TAKEN = Set.of("model", "input", "instructions", "max_output_tokens", "temperature",
      "top_p", "store", "background", "stream", "metadata", "previous_response_id", "seed", "user",
      "safety_identifier", "prompt_cache_key", "stream_options", "priority");
  private static final int MAX_METADATA = 16;

  /** Not implemented; each with the test for its neutral value. */
  private static final Map<String, Predicate<JsonNode>> NEUTRAL = Map.ofEntries(
      entry("tools", v -> v.isArray() && v.isEmpty()),
      entry("tool_choice", v -> "none".equals(v.textValue()) || "auto".equals(v.textValue())),
      entry("parallel_tool_calls", JsonNode::isBoolean),
      entry("max_tool_calls", v -> false),
      entry("reasoning", v -> v.isObject() && !v.fields().hasNext()),
      entry("text", v -> v.isObject() && v.size() == 1 && "text".equals(v.path("format").path("type").textValue())),
      entry("include", v -> v.isArray() && v.isEmpty()),
      entry("top_logprobs", v -> v.isIntegralNumber() && v.asLong() == 0),
      entry("truncation", v -> "disabled".equals(v.textValue())),
      entry("service_tier", v -> "auto".equals(v.textValue()) || "default".equals(v.textValue())),
      entry("prompt", v -> false),
      entry("conversation", v -> false));

  static ResponseRequest parse(JsonNode body, HttpSettings limits) {
    if (body == null || !body.isObject()) {
      throw error(null, "the request body must be a JSON object");
    }
    BodyFields.checkParameters(body, TAKEN, NEUTRAL, "to get a text answer");
    String model = text(body, "model", true);
    String instructions = body.hasNonNull("instructions") ? string(body.get("instructions"), "instructions") : null;
    List<ResponseSpec.InputItem> input = input(body.get("input"));
    Integer maxTokens = integer(body, "max_output_tokens");
    if (maxTokens != null && (maxTokens < 1 || maxTokens > limits.maxTokens())) {
      throw error("max_output_tokens", "max_output_tokens must be between 1 and " + limits.maxTokens()
          + ", was " + maxTokens);
    }
    double temperature = number(body, "temperature", 1.0, 0.0, 2.0);
    double topP = number(body, "top_p", 1.0, 0.0, 1.0);
    if (topP == 0.0) {
      throw error("top_p", "top_p must be greater than 0");
    }
    boolean store = bool(body, "store", true);
    boolean background = bool(body, "background", false);
    boolean stream = bool(body, "stream", false);
    if (background && !store) {
      throw error("background", "a background response must be stored: leave store out or set it to true");
    }
    if (body.hasNonNull("stream_options") && !stream) {
      throw error("stream_options", "stream_options is only allowed when stream is true");
    }
    String previous = body.hasNonNull("previous_response_id") ? text(body, "previous_response_id", true) : null;
    ResponseSpec spec = new ResponseSpec(instructions, input, metadata(body.get("metadata")), store, background,
        previous);
    return new ResponseRequest(new SessionRequest(SessionSpec.Api.RESPONSE, model, null, turns(spec), maxTokens,
        temperature, topP, BodyFields.seed(body), List.of(), spec, BodyFields.priority(body)), stream);
  }

  /** The turn's messages for the model's chat format: the instructions first, as a system message. */
  static List<ChatFormat.Turn> turns(ResponseSpec spec) {
    List<ChatFormat.Turn> turns = new ArrayList<>();
    if (spec.instructions() != null) {
      turns.add(new ChatFormat.Turn("system", spec.instructions()));
    }
    spec.input().forEach(item -> turns.add(new ChatFormat.Turn(item.role(), item.text())));
    return turns;
  }

  /** A string, or a list of message items with text parts. */
  private static List<ResponseSpec.InputItem> input(JsonNode input) {
    if (input != null && input.isTextual()) {
      return List.of(new ResponseSpec.InputItem("user", List.of(input.asText())));
    }
    if (input == null || !input.isArray() || input.isEmpty()) {
      throw error("input", "input must be a string or a non-empty array of message items");
    }
    List<ResponseSpec.InputItem> items = new ArrayList<>();
    for (int i = 0; i < input.size(); i++) {
      JsonNode item = input.get(i);
      String at = "input[" + i + "]";
      if (!item.isObject()) {
        throw error(at, at + " must be a message object with role and content");
      }
      String type = item.path("type").asText("message");
      if (!"message".equals(type)) {
        throw error(at + ".type", "only message items are supported, was '" + Printable.of(type) + "'");
      }
      String role = item.path("role").asText("");
      if (!ROLES.contains(role)) {
        throw error(at + ".role", "role must be one of " + ROLES + ", was '" + Printable.of(role) + "'");
      }
      items.add(new ResponseSpec.InputItem(role, parts(item.get("content"), role, at + ".content")));
    }
    return items;
  }

  /** A string, or input_text (output_text for the assistant's earlier answers) parts. */
  private static List<String> parts(JsonNode content, String role, String param) {
    if (content != null && content.isTextual()) {
      return List.of(content.asText());
    }
    if (content == null || !content.isArray() || content.isEmpty()) {
      throw error(param, "content must be a string or a non-empty array of text parts");
    }
    String expected = "assistant".equals(role) ? "output_text" : "input_text";
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < content.size(); i++) {
      JsonNode part = content.get(i);
      String type = part.path("type").asText("");
      if (!(expected.equals(type) || "input_text".equals(type)) || !part.path("text").isTextual()) {
        throw error(param + "[" + i + "]", "only " + expected + " parts with text are supported for role " + role);
      }
      texts.add(part.get("text").asText());
    }
    return texts;
  }

  private static String string(JsonNode v, String param) {
    if (!v.isTextual()) {
      throw error(param, param + " must be a string");
    }
    return v.asText();
  }

  /** Up to 16 pairs; keys up to 64 characters, values strings up to 512, as OpenAI limits them. */
  private static Map<String, String> metadata(JsonNode metadata) {
    if (metadata == null || metadata.isNull()) {
      return Map.of();
    }
    if (!metadata.isObject() || metadata.size() > MAX_METADATA) {
      throw error("metadata", "metadata must be an object of at most " + MAX_METADATA + " string values");
    }
    Map<String, String> pairs = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = metadata.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> pair = it.next();
      if (pair.getKey().length() > 64 || !pair.getValue().isTextual() || pair.getValue().asText().length() > 512) {
        throw error("metadata", "metadata keys have at most 64 characters and values are strings of at most 512");
      }
      pairs.put(pair.getKey(), pair.getValue().asText());
    }
    return pairs;
  }
}
