package io.baton.workers.engine.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * SGLang's native {@code POST /generate} (python/sglang/srt/entrypoints/http_server.py; sampling
 * parameters in docs/basic_usage/sampling_params.md). The prompt goes as {@code input_ids}, used as
 * given. Every event carries {@code output_ids}: the whole output so far by default, or only this
 * event's ids when the server runs with {@code --incremental-streaming-output}; the reader tells
 * them apart by comparing their count with {@code meta_info.completion_tokens}.
 * {@code meta_info.finish_reason} is null while running, else an object whose {@code type} is
 * {@code length}, {@code stop} or {@code abort}; {@code meta_info.cached_tokens} is the prefix-cache
 * hit. The stream ends with {@code data: [DONE]}. {@code sampling_seed} exists only in recent
 * versions, so it is sent only when sampling needs it.
 */
final class SglangDialect implements EngineDialect {

  @Override
  public String generatePath() {
    return "/generate";
  }

  @Override
  public ObjectNode generateBody(Ask ask) {
    ObjectNode body = JSON.createObjectNode();
    ask.context().forEach(body.putArray("input_ids")::add);
    ObjectNode sampling = body.putObject("sampling_params");
    sampling.put("max_new_tokens", ask.maxTokens());
    sampling.put("temperature", ask.sampling().temperature());
    sampling.put("top_p", ask.sampling().topP());
    sampling.put("ignore_eos", true);
    if (!ask.sampling().isGreedy()) {
      sampling.put("sampling_seed", ask.sampling().seed());
    }
    body.put("stream", true);
    return body;
  }

  @Override
  public StreamReader reader() {
    return new StreamReader() {
      private int seen;

      @Override
      public Delta read(String data) {
        if (data.strip().equals("[DONE]")) {
          return Delta.DONE;
        }
        Event read = Event.read(data, "SGLang");
        if (read.problem() != null) {
          return read.problem();
        }
        JsonNode event = read.json();
        JsonNode meta = event.path("meta_info");
        JsonNode finish = meta.path("finish_reason");
        String finishType = finish.isObject() ? finish.path("type").asText() : null;
        if ("abort".equals(finishType)) {
          return Delta.error("SGLang aborted the request: " + finish.path("message").asText(""));
        }
        List<Integer> all = new ArrayList<>();
        event.path("output_ids").forEach(t -> all.add(t.asInt()));
        boolean cumulative = all.size() == meta.path("completion_tokens").asInt(-1);
        List<Integer> fresh = cumulative ? all.subList(Math.min(seen, all.size()), all.size()) : all;
        seen += fresh.size();
        return new Delta(List.copyOf(fresh), finishType, meta.path("cached_tokens").asInt(-1), false, null);
      }
    };
  }
}
