package io.baton.http.batch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.baton.actors.batch.LineError;
import io.baton.actors.session.SessionState;
import io.baton.actors.session.SessionStatus;
import io.baton.http.HttpSettings;
import io.baton.http.Json;
import io.baton.actors.app.ModelCatalog;
import io.baton.actors.app.SessionService;
import io.baton.http.errors.ApiException;
import io.baton.http.openai.ChunkFormat;
import io.baton.http.openai.CompletionRequest;

/**
 * One line of a batch input file, in and out: parsed and checked into a session spec, or a
 * {@link LineError} with its 1-based line number; and the session's outcome as a line of the output
 * or error file, in OpenAI's format. A line's session id and default seed derive from the batch id
 * and the line, so a replayed line is the same session.
 */
public final class BatchLines {
  /** A good line: its custom_id and the session it becomes. */
  public record Good(int index, String customId, SessionService.Prepared prepared) {}

  /** A line that cannot run; {@code customId} may be null when the line had none. */
  public record Bad(int index, String customId, LineError error) {}

  private final SessionService sessions;
  private final HttpSettings settings;

  public BatchLines(SessionService sessions, HttpSettings settings) {
    this.sessions = sessions;
    this.settings = settings;
  }

  public static String sessionId(String batchId, int index) {
    return batchId + "-req-" + index;
  }

  /** A Good or a Bad, for line {@code index} (0-based) of a batch for {@code endpoint}. */
  public Object parse(String batchId, String endpoint, String tenant, int index, String line) {
    JsonNode json;
    try {
      json = Json.MAPPER.readTree(line);
    } catch (java.io.IOException e) {
      return bad(index, null, "invalid_json", "the line is not valid JSON", null);
    }
    if (json == null || !json.isObject()) {
      return bad(index, null, "invalid_json", "the line is not a JSON object", null);
    }
    String customId = json.path("custom_id").isTextual() ? json.get("custom_id").asText() : null;
    if (customId == null || customId.isBlank()) {
      return bad(index, null, "missing_required_parameter", "custom_id is required", "custom_id");
    }
    if (!"POST".equals(json.path("method").asText())) {
      return bad(index, customId, "invalid_method", "method must be POST", "method");
    }
    if (!endpoint.equals(json.path("url").asText())) {
      return bad(index, customId, "mismatched_url", "url must be the batch's endpoint " + endpoint, "url");
    }
    try {
      CompletionRequest request = CompletionRequest.parse(json.get("body"), endpoint.endsWith("chat/completions"), settings);
      if (request.stream()) {
        return bad(index, customId, "invalid_value", "a batch request cannot stream", "body.stream");
      }
      long seed = (batchId + "/" + index).hashCode() & 0x7fffffffL;
      return new Good(index, customId, ApiException.valueOf(
          sessions.prepare(request.toSessionRequest(), tenant, batchId, seed)));
    } catch (ApiException e) {
      String param = e.error().param() == null ? "body" : "body." + e.error().param();
      String code = e.error().code() == null ? "invalid_request" : e.error().code();
      return bad(index, customId, code, e.error().message(), param);
    }
  }

  private static Bad bad(int index, String customId, String code, String message, String param) {
    return new Bad(index, customId, new LineError(code, message, param, index + 1));
  }

  /** The output-file line of a line whose session completed. */
  public static String outputLine(boolean chat, Good good, SessionState s, ModelCatalog.TextCodec codec) {
    String text = codec.decode(s.tokens());
    for (String stop : s.spec().stop()) {
      int at = text.indexOf(stop);
      if (at >= 0) {
        text = text.substring(0, at);
      }
    }
    long created = s.submittedAt() == null ? 0 : s.submittedAt().getEpochSecond();
    ObjectNode body = new ChunkFormat(chat, s.sessionId(), s.spec().model(), created, false)
        .completion(text, s.terminalReason(), s.spec().promptTokens().size(), s.tokenCount());
    ObjectNode line = Json.MAPPER.createObjectNode();
    line.put("id", "batch_req_" + s.sessionId());
    line.put("custom_id", good.customId());
    ObjectNode response = line.putObject("response");
    response.put("status_code", 200);
    response.put("request_id", s.sessionId());
    response.set("body", body);
    line.putNull("error");
    return Json.write(line);
  }

  /** The error-file line of a line that could not run or whose session did not complete. */
  public static String errorLine(String batchId, int index, String customId, String code, String message) {
    ObjectNode line = Json.MAPPER.createObjectNode();
    line.put("id", "batch_req_" + sessionId(batchId, index));
    line.put("custom_id", customId);
    line.putNull("response");
    ObjectNode error = line.putObject("error");
    error.put("code", code);
    error.put("message", message);
    return Json.write(line);
  }

  /** Why a session that ended without completing failed, for its error line. */
  public static String failure(SessionState s) {
    return s.status() == SessionStatus.CANCELLED ? "cancelled: " + s.terminalReason() : String.valueOf(s.terminalReason());
  }
}
