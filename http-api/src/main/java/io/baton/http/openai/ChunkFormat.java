package io.baton.http.openai;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.baton.http.Json;
import org.apache.pekko.util.ByteString;

/**
 * OpenAI's wire objects for one request: {@code chat.completion(.chunk)} or {@code text_completion},
 * with the session id as the completion id. Built as JSON trees so every field OpenAI's clients
 * expect is there, nulls included.
 */
public final class ChunkFormat {
  static final ByteString DONE = ByteString.fromString("data: [DONE]\n\n");
  static final ByteString PING = ByteString.fromString(": ping\n\n");

  private final boolean chat;
  private final String id;
  private final String model;
  private final long created;
  private final boolean includeUsage;

  public ChunkFormat(boolean chat, String id, String model, long created, boolean includeUsage) {
    this.chat = chat;
    this.id = id;
    this.model = model;
    this.created = created;
    this.includeUsage = includeUsage;
  }

  /** One SSE event; {@code index} is the token index the event ends at (its resume point). */
  static ByteString event(int index, ObjectNode data) {
    return ByteString.fromString("id: " + index + "\ndata: " + Json.write(data) + "\n\n");
  }

  /** The first chunk of a chat stream carries the assistant role and no text. */
  ObjectNode roleChunk() {
    ObjectNode chunk = streamChunk();
    ObjectNode delta = choice(chunk).putObject("delta");
    delta.put("role", "assistant");
    delta.put("content", "");
    return chunk;
  }

  ObjectNode textChunk(String text, String finishReason) {
    ObjectNode chunk = streamChunk();
    ObjectNode choice = choice(chunk);
    if (chat) {
      ObjectNode delta = choice.putObject("delta");
      if (finishReason == null || !text.isEmpty()) {
        delta.put("content", text);
      }
    } else {
      choice.put("text", text);
    }
    choice.put("finish_reason", finishReason);
    return chunk;
  }

  /** The usage chunk: empty choices, as OpenAI sends it last when include_usage is set. */
  ObjectNode usageChunk(int promptTokens, int completionTokens) {
    ObjectNode chunk = header(chat ? "chat.completion.chunk" : "text_completion");
    chunk.putArray("choices");
    usage(chunk, promptTokens, completionTokens);
    return chunk;
  }

  /** The whole answer of a request that did not stream. */
  public ObjectNode completion(String text, String finishReason, int promptTokens, int completionTokens) {
    ObjectNode body = header(chat ? "chat.completion" : "text_completion");
    ObjectNode choice = body.putArray("choices").addObject();
    choice.put("index", 0);
    if (chat) {
      ObjectNode message = choice.putObject("message");
      message.put("role", "assistant");
      message.put("content", text);
    } else {
      choice.put("text", text);
    }
    choice.putNull("logprobs");
    choice.put("finish_reason", finishReason);
    usage(body, promptTokens, completionTokens);
    return body;
  }

  private ObjectNode streamChunk() {
    ObjectNode chunk = header(chat ? "chat.completion.chunk" : "text_completion");
    if (includeUsage) {
      chunk.putNull("usage");
    }
    return chunk;
  }

  private ObjectNode header(String object) {
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("id", id);
    o.put("object", object);
    o.put("created", created);
    o.put("model", model);
    o.putNull("system_fingerprint");
    return o;
  }

  private static ObjectNode choice(ObjectNode chunk) {
    ArrayNode choices = chunk.putArray("choices");
    ObjectNode choice = choices.addObject();
    choice.put("index", 0);
    choice.putNull("logprobs");
    choice.putNull("finish_reason");
    return choice;
  }

  private static void usage(ObjectNode o, int promptTokens, int completionTokens) {
    ObjectNode usage = o.putObject("usage");
    usage.put("prompt_tokens", promptTokens);
    usage.put("completion_tokens", completionTokens);
    usage.put("total_tokens", promptTokens + completionTokens);
  }
}
