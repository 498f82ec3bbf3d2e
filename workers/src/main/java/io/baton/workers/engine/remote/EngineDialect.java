package io.baton.workers.engine.remote;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.baton.workers.engine.SamplingParams;
import java.util.List;

/**
 * One engine kind's wire, in one place: how a generation with token ids in is asked for, and how
 * its streamed events give token ids back (sources and version notes in each implementation). The
 * agent drives every kind the same way through this.
 */
public sealed interface EngineDialect permits VllmDialect, SglangDialect, LlamaCppDialect {
  ObjectMapper JSON = new ObjectMapper();

  /**
   * What to generate: the whole context as token ids (prompt, then tokens an earlier attempt
   * generated), how many more tokens, and how to sample.
   *
   * @param generated how many trailing context tokens an earlier attempt generated
   */
  record Ask(String model, List<Integer> context, int generated, int maxTokens, SamplingParams sampling) {}

  /** The request's path under the server's base URL. */
  String generatePath();

  /** The request's body. Engines always run to {@code maxTokens}: Baton ends sessions itself. */
  ObjectNode generateBody(Ask ask);

  /** A reader for one stream's events; it keeps what the kind needs across events. */
  StreamReader reader();

  /** The liveness probe's path: 200 means the engine answers and can generate. */
  default String healthPath() {
    return "/health";
  }

  /** Reads one stream's {@code data:} payloads in order. */
  interface StreamReader {
    /** What one event says; never null. */
    Delta read(String data);
  }

  /**
   * What one event adds.
   *
   * @param tokens token ids generated since the previous event
   * @param finishReason set once the engine says the generation ended ("length" or "stop")
   * @param cachedTokens prompt tokens the engine's prefix cache gave, when it says so; else -1
   * @param end true for the stream's last event (a [DONE] or the kind's final object)
   * @param error the engine's error message, when it reported one inside the stream
   */
  record Delta(List<Integer> tokens, String finishReason, int cachedTokens, boolean end, String error) {
    static final Delta NOTHING = new Delta(List.of(), null, -1, false, null);
    static final Delta DONE = new Delta(List.of(), null, -1, true, null);

    static Delta error(String message) {
      return new Delta(List.of(), null, -1, true, message);
    }
  }

  /** One event read as JSON, or what is wrong with it (not JSON, or an error the engine reported). */
  record Event(JsonNode json, Delta problem) {
    static Event read(String data, String engine) {
      JsonNode json;
      try {
        json = JSON.readTree(data);
      } catch (JsonProcessingException e) {
        return new Event(null, Delta.error(engine + " sent an event that is not JSON: " + e.getOriginalMessage()));
      }
      String error = errorOf(json);
      return new Event(json, error == null ? null : Delta.error(error));
    }
  }

  /** The error message inside an event, in any of the shapes the kinds use; null when none. */
  static String errorOf(JsonNode event) {
    JsonNode error = event.path("error");
    if (error.isMissingNode() || error.isNull()) {
      return event.path("object").asText("").equals("error") ? event.path("message").asText("error") : null;
    }
    return error.isTextual() ? error.asText() : error.path("message").asText(error.toString());
  }
}
