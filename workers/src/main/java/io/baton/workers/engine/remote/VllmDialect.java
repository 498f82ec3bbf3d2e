package io.baton.workers.engine.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * vLLM's OpenAI-compatible server, {@code POST /v1/completions} (vllm/entrypoints/openai, the
 * completion protocol and serving_completion.py). Token ids come back as each chunk's
 * {@code choices[0].token_ids} (the delta) when asked with {@code return_token_ids} (vLLM 0.10.2
 * and later); older servers give them only as {@code "token_id:N"} strings in
 * {@code logprobs.tokens} when asked with {@code logprobs: 0, return_tokens_as_token_ids}, which is
 * sent too and read when {@code token_ids} is absent. The stream ends with {@code data: [DONE]},
 * after a chunk with no choices and the usage; {@code usage.prompt_tokens_details.cached_tokens}
 * (the prefix-cache hit) is there only when the server runs with
 * {@code --enable-prompt-tokens-details}. Errors inside the stream are {@code {"error": {...}}}.
 *
 * <p>{@code baton engine serve} speaks the same wire and takes one more field,
 * {@code baton_generated_tokens}, so a resumed generation samples with the index an uninterrupted
 * run would have used.
 */
final class VllmDialect implements EngineDialect {
  private final boolean batonExtension;

  VllmDialect(boolean batonExtension) {
    this.batonExtension = batonExtension;
  }

  @Override
  public String generatePath() {
    return "/v1/completions";
  }

  @Override
  public ObjectNode generateBody(Ask ask) {
    ObjectNode body = JSON.createObjectNode();
    body.put("model", ask.model());
    ask.context().forEach(body.putArray("prompt")::add);
    body.put("max_tokens", ask.maxTokens());
    body.put("temperature", ask.sampling().temperature());
    body.put("top_p", ask.sampling().topP());
    body.put("seed", ask.sampling().seed());
    body.put("ignore_eos", true);
    body.put("stream", true);
    body.putObject("stream_options").put("include_usage", true);
    body.put("return_token_ids", true);
    if (batonExtension) {
      body.put("baton_generated_tokens", ask.generated());
    } else {
      body.put("logprobs", 0);
      body.put("return_tokens_as_token_ids", true);
    }
    return body;
  }

  @Override
  public StreamReader reader() {
    return data -> {
      if (data.strip().equals("[DONE]")) {
        return Delta.DONE;
      }
      Event read = Event.read(data, "vLLM");
      if (read.problem() != null) {
        return read.problem();
      }
      JsonNode event = read.json();
      int cached = event.path("usage").path("prompt_tokens_details").path("cached_tokens").asInt(-1);
      JsonNode choice = event.path("choices").path(0);
      if (choice.isMissingNode()) {
        return new Delta(List.of(), null, cached, false, null);
      }
      String finish = choice.path("finish_reason").isTextual() ? choice.path("finish_reason").asText() : null;
      return new Delta(tokens(choice), finish, cached, false, null);
    };
  }

  private static List<Integer> tokens(JsonNode choice) {
    List<Integer> ids = new ArrayList<>();
    JsonNode tokenIds = choice.path("token_ids");
    if (tokenIds.isArray()) {
      tokenIds.forEach(t -> ids.add(t.asInt()));
      return ids;
    }
    // Older servers: "token_id:123" strings in the logprobs.
    for (JsonNode t : choice.path("logprobs").path("tokens")) {
      String text = t.asText();
      if (text.startsWith("token_id:")) {
        ids.add(Integer.parseInt(text.substring("token_id:".length())));
      }
    }
    return ids;
  }
}
