package io.baton.workers.engine.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * llama.cpp's {@code llama-server}, native {@code POST /completion} (tools/server/README.md,
 * server-context.cpp). A prompt of token ids is used verbatim (no BOS added). Each partial event
 * carries its {@code tokens}; the last event has {@code "stop": true}, no tokens, the
 * {@code stop_type} ({@code limit} is our "length"; {@code eos} and {@code word} are "stop") and
 * {@code timings.cache_n}, the prefix-cache hit. There is no {@code [DONE]}. The server skips the
 * event of a token whose bytes end inside a UTF-8 character, and with it that token's id; the
 * reader compares {@code tokens_predicted} with the ids it received and reports the gap as an
 * error rather than hand on a stream with a token missing.
 */
final class LlamaCppDialect implements EngineDialect {

  @Override
  public String generatePath() {
    return "/completion";
  }

  @Override
  public ObjectNode generateBody(Ask ask) {
    ObjectNode body = JSON.createObjectNode();
    ask.context().forEach(body.putArray("prompt")::add);
    body.put("n_predict", ask.maxTokens());
    body.put("temperature", ask.sampling().temperature());
    body.put("top_p", ask.sampling().topP());
    body.put("seed", ask.sampling().seed());
    body.put("ignore_eos", true);
    body.put("cache_prompt", true);
    body.put("return_tokens", true);
    body.put("stream", true);
    return body;
  }

  @Override
  public StreamReader reader() {
    return new StreamReader() {
      private int received;

      @Override
      public Delta read(String data) {
        Event read = Event.read(data, "llama.cpp");
        if (read.problem() != null) {
          return read.problem();
        }
        JsonNode event = read.json();
        List<Integer> ids = new ArrayList<>();
        event.path("tokens").forEach(t -> ids.add(t.asInt()));
        received += ids.size();
        int predicted = event.path("tokens_predicted").asInt(received);
        if (predicted > received) {
          return Delta.error("llama.cpp skipped the ids of " + (predicted - received)
              + " token(s) (a partial UTF-8 character); the stream cannot be relied on token for token");
        }
        if (event.path("stop").asBoolean(false)) {
          String stopType = event.path("stop_type").asText("limit");
          String finish = stopType.equals("limit") ? "length" : "stop";
          return new Delta(List.copyOf(ids), finish, event.path("timings").path("cache_n").asInt(-1), true, null);
        }
        return new Delta(List.copyOf(ids), null, -1, false, null);
      }
    };
  }
}
