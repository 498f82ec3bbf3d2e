package io.baton.http.responses;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.baton.actors.session.ResponseSpec;
import io.baton.actors.session.SessionSpec;
import io.baton.actors.session.SessionState;
import io.baton.actors.session.SessionStatus;
import io.baton.http.Json;
import java.time.Instant;

/**
 * OpenAI's Responses API objects as a session's state makes them: the response, its one output
 * message with one text part, its usage and its input items. Every field the API reference marks
 * required is present, nulls included. Ids derive from the session id, so they are the same on
 * every node and after every resume.
 */
final class ResponseObjects {
  private ResponseObjects() {}

  /** The output message's id. */
  static String messageId(String responseId) {
    return "msg_" + responseId.substring(responseId.indexOf('_') + 1);
  }

  /** The id of this response's input item {@code index}. */
  static String inputItemId(String responseId, int index) {
    return messageId(responseId) + "_in" + index;
  }

  /** The response's status as the API names it. */
  static String status(SessionState s) {
    return switch (s.status()) {
      case NEW, PENDING -> s.attempts().isEmpty() ? "queued" : "in_progress";
      case PLACED, GENERATING -> "in_progress";
      case COMPLETED -> "length".equals(s.terminalReason()) ? "incomplete" : "completed";
      case FAILED -> "failed";
      case CANCELLED -> "cancelled";
    };
  }

  /** The whole response now: {@code text} is its output so far. */
  static ObjectNode response(SessionState s, String text) {
    String status = status(s);
    ArrayNode output = Json.MAPPER.createArrayNode();
    if (!s.tokens().isEmpty() || s.status().isTerminal()) {
      output.add(message(s.sessionId(), itemStatus(status), text));
    }
    ObjectNode r = snapshot(s, status, output);
    r.set("usage", usage(s));
    if (s.status() == SessionStatus.FAILED) {
      ObjectNode error = r.putObject("error");
      error.put("code", "server_error");
      error.put("message", "the response failed: " + s.terminalReason());
    }
    if ("incomplete".equals(status)) {
      r.putObject("incomplete_details").put("reason", "max_output_tokens");
    }
    if ("completed".equals(status) && s.endedAt() != null) {
      r.put("completed_at", s.endedAt().getEpochSecond());
    }
    return r;
  }

  /** The response as it starts, before any output: the same for every reader, whenever it reads. */
  static ObjectNode started(SessionState s, String status) {
    return snapshot(s, status, Json.MAPPER.createArrayNode());
  }

  private static ObjectNode snapshot(SessionState s, String status, ArrayNode output) {
    SessionSpec spec = s.spec();
    ResponseSpec details = spec.response();
    ObjectNode r = Json.MAPPER.createObjectNode();
    r.put("id", s.sessionId());
    r.put("object", "response");
    r.put("created_at", s.submittedAt() == null ? Instant.now().getEpochSecond() : s.submittedAt().getEpochSecond());
    r.put("status", status);
    r.put("background", details.background());
    r.putNull("error");
    r.putNull("incomplete_details");
    r.put("instructions", details.instructions());
    r.put("max_output_tokens", spec.maxTokens());
    r.put("model", spec.model());
    r.set("output", output);
    r.put("parallel_tool_calls", false);
    r.put("previous_response_id", details.previousResponseId());
    r.putObject("reasoning").putNull("effort").putNull("summary");
    r.put("store", details.store());
    r.put("temperature", spec.sampling().temperature());
    r.putObject("text").putObject("format").put("type", "text");
    r.put("tool_choice", "none");
    r.putArray("tools");
    r.put("top_p", spec.sampling().topP());
    r.put("truncation", "disabled");
    r.putNull("usage");
    r.putNull("user");
    ObjectNode metadata = r.putObject("metadata");
    details.metadata().forEach(metadata::put);
    return r;
  }

  static String itemStatus(String responseStatus) {
    return switch (responseStatus) {
      case "completed" -> "completed";
      case "queued", "in_progress" -> "in_progress";
      default -> "incomplete";
    };
  }

  /** The output message; with no text (null) it has no content part yet. */
  static ObjectNode message(String responseId, String status, String text) {
    ObjectNode item = Json.MAPPER.createObjectNode();
    item.put("id", messageId(responseId));
    item.put("type", "message");
    item.put("status", status);
    item.put("role", "assistant");
    ArrayNode content = item.putArray("content");
    if (text != null) {
      content.add(textPart(text));
    }
    return item;
  }

  static ObjectNode textPart(String text) {
    ObjectNode part = Json.MAPPER.createObjectNode();
    part.put("type", "output_text");
    part.put("text", text);
    part.putArray("annotations");
    part.putArray("logprobs");
    return part;
  }

  /** Token counts; cached tokens are the prompt tokens whose KV the first token's prefill reused. */
  static ObjectNode usage(SessionState s) {
    ObjectNode usage = Json.MAPPER.createObjectNode();
    int input = s.spec().promptTokens().size();
    usage.put("input_tokens", input);
    usage.putObject("input_tokens_details").put("cached_tokens", s.reusedPromptTokens()).put("cache_write_tokens", 0);
    usage.put("output_tokens", s.tokenCount());
    usage.putObject("output_tokens_details").put("reasoning_tokens", 0);
    usage.put("total_tokens", input + s.tokenCount());
    return usage;
  }

  /** Input item {@code index} of the response, as the input_items list shows it. */
  static ObjectNode inputItem(String responseId, int index, ResponseSpec.InputItem item) {
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("id", inputItemId(responseId, index));
    o.put("type", "message");
    o.put("role", item.role());
    o.put("status", "completed");
    ArrayNode content = o.putArray("content");
    String type = "assistant".equals(item.role()) ? "output_text" : "input_text";
    item.texts().forEach(text -> {
      ObjectNode part = content.addObject().put("type", type).put("text", text);
      if ("output_text".equals(type)) {
        part.putArray("annotations");
      }
    });
    return o;
  }
}
