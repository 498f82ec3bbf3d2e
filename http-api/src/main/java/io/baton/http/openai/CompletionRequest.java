package io.baton.http.openai;

import static io.baton.http.BodyFields.bool;
import static io.baton.http.BodyFields.integer;
import static io.baton.http.BodyFields.number;
import static io.baton.http.BodyFields.text;

import com.fasterxml.jackson.databind.JsonNode;
import io.baton.actors.app.ChatFormat;
import io.baton.actors.app.SessionRequest;
import io.baton.actors.session.ServiceClass;
import io.baton.actors.session.SessionSpec;
import io.baton.http.BodyFields;
import io.baton.http.HttpSettings;
import io.baton.http.errors.ApiException;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@code /v1/completions} or {@code /v1/chat/completions} request, checked field by field so each
 * mistake is reported with its parameter name, as OpenAI's API does. Chat messages are rendered to
 * one prompt text by the model's {@link ChatFormat}, once the model is known.
 *
 * @param prompt the prompt of a completion; null for a chat
 * @param messages the messages of a chat; null for a completion
 * @param maxTokens null when the client left it out: the rest of the model's context, capped by the limit
 * @param seed null when the client gave none; Baton then draws one, so a resume stays exact
 * @param priority Baton's {@code priority} extension: a class below the API key's; null for its own
 */
public record CompletionRequest(
    boolean chat,
    String model,
    String prompt,
    List<ChatFormat.Turn> messages,
    Integer maxTokens,
    double temperature,
    double topP,
    Long seed,
    boolean stream,
    boolean includeUsage,
    List<String> stop,
    String user,
    ServiceClass priority) {

  /** OpenAI's default for the legacy completions endpoint. */
  static final int COMPLETIONS_DEFAULT_MAX_TOKENS = 16;
  /** The longest stop sequence: each is matched against the text after every token. */
  static final int MAX_STOP_CHARS = 256;

  /** What the application layer runs for it. */
  public SessionRequest toSessionRequest() {
    return new SessionRequest(chat ? SessionSpec.Api.CHAT : SessionSpec.Api.COMPLETION, model, prompt, messages,
        maxTokens, temperature, topP, seed, stop, null, priority);
  }

  public static CompletionRequest parse(JsonNode body, boolean chat, HttpSettings limits) {
    if (body == null || !body.isObject()) {
      throw error(null, "the request body must be a JSON object");
    }
    RequestParameters.check(body, chat);
    String model = text(body, "model", true);
    String prompt = chat ? null : prompt(body);
    List<ChatFormat.Turn> messages = chat ? messages(body) : null;
    String maxParam = chat && body.hasNonNull("max_completion_tokens") ? "max_completion_tokens" : "max_tokens";
    Integer maxTokens = integer(body, maxParam);
    if (maxTokens == null && !chat) {
      maxTokens = COMPLETIONS_DEFAULT_MAX_TOKENS;
    }
    if (maxTokens != null && (maxTokens < 1 || maxTokens > limits.maxTokens())) {
      throw error(maxParam, maxParam + " must be between 1 and " + limits.maxTokens() + ", was " + maxTokens);
    }
    double temperature = number(body, "temperature", 1.0, 0.0, 2.0);
    double topP = number(body, "top_p", 1.0, 0.0, 1.0);
    if (topP == 0.0) {
      throw error("top_p", "top_p must be greater than 0");
    }
    Integer n = integer(body, "n");
    if (n != null && n != 1) {
      throw error("n", "only n=1 is supported");
    }
    Long seed = BodyFields.seed(body);
    boolean stream = bool(body, "stream", false);
    JsonNode options = body.get("stream_options");
    boolean includeUsage = false;
    if (options != null && !options.isNull()) {
      if (!stream) {
        throw error("stream_options", "stream_options is only allowed when stream is true");
      }
      includeUsage = options.path("include_usage").asBoolean(false);
    }
    JsonNode user = body.get("user");
    return new CompletionRequest(chat, model, prompt, messages, maxTokens, temperature, topP, seed, stream, includeUsage,
        stop(body), user == null || user.isNull() ? null : user.asText(), BodyFields.priority(body));
  }

  private static List<ChatFormat.Turn> messages(JsonNode body) {
    JsonNode messages = body.get("messages");
    if (messages == null || !messages.isArray() || messages.isEmpty()) {
      throw error("messages", "messages must be a non-empty array");
    }
    List<ChatFormat.Turn> out = new ArrayList<>();
    for (int i = 0; i < messages.size(); i++) {
      JsonNode m = messages.get(i);
      String role = m.path("role").asText("");
      if (!ChatFormat.ROLES.contains(role)) {
        throw error("messages[" + i + "].role", "role must be one of " + ChatFormat.ROLES + ", was '" + role + "'");
      }
      out.add(new ChatFormat.Turn(role, content(m.get("content"), "messages[" + i + "].content")));
    }
    return out;
  }

  /** A string, or an array of {"type":"text","text":...} parts. */
  private static String content(JsonNode content, String param) {
    if (content != null && content.isTextual()) {
      return content.asText();
    }
    if (content != null && content.isArray()) {
      StringBuilder text = new StringBuilder();
      for (JsonNode part : content) {
        if (!"text".equals(part.path("type").asText()) || !part.path("text").isTextual()) {
          throw error(param, "only text content parts are supported");
        }
        text.append(part.get("text").asText());
      }
      return text.toString();
    }
    throw error(param, "content must be a string or an array of text parts");
  }

  private static String prompt(JsonNode body) {
    JsonNode prompt = body.get("prompt");
    if (prompt != null && prompt.isTextual()) {
      return prompt.asText();
    }
    if (prompt != null && prompt.isArray() && prompt.size() == 1 && prompt.get(0).isTextual()) {
      return prompt.get(0).asText();
    }
    throw error("prompt", "prompt must be a string (or an array holding one string)");
  }

  private static List<String> stop(JsonNode body) {
    JsonNode stop = body.get("stop");
    if (stop == null || stop.isNull()) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    if (stop.isTextual()) {
      out.add(stop.asText());
    } else if (stop.isArray() && stop.size() <= 4) {
      stop.forEach(s -> {
        if (!s.isTextual()) {
          throw error("stop", "stop must be a string or an array of up to 4 strings");
        }
        out.add(s.asText());
      });
    } else {
      throw error("stop", "stop must be a string or an array of up to 4 strings");
    }
    if (out.stream().anyMatch(String::isEmpty)) {
      throw error("stop", "a stop sequence must not be empty");
    }
    if (out.stream().anyMatch(s -> s.length() > MAX_STOP_CHARS)) {
      throw error("stop", "a stop sequence may have at most " + MAX_STOP_CHARS + " characters");
    }
    return List.copyOf(out);
  }

  static ApiException error(String param, String message) {
    return BodyFields.error(param, message);
  }
}
