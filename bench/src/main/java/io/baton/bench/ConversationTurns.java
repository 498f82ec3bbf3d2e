package io.baton.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A conversation's second turn against the same prompt sent fresh, through the Responses API: the
 * follow-up ({@code previous_response_id}) should prefill only its new tokens, the earlier turn's
 * KV blocks being still in the GPU's memory or in the block store. Each round sends a fresh prompt
 * of the follow-up's length (words no other request used, so nothing is cached), then a first turn
 * with about {@code historyTokens} of history, then the follow-up; TTFT is the time from the request
 * to the first text delta, as a streaming client sees it.
 */
final class ConversationTurns {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String MODEL = BenchNode.MODEL;
  private static final int FIRST_TURN_TOKENS = 32;

  /** One request: its time to first token (ms), its prompt tokens and those its prefill reused. */
  record Turn(double ttftMs, int promptTokens, int cachedTokens) {
    int prefilled() {
      return promptTokens - cachedTokens;
    }
  }

  record Result(List<Turn> followUps, List<Turn> fresh) {}

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(10)).build();
  private final String base;

  ConversationTurns(String httpAddress) {
    this.base = httpAddress;
  }

  Result measure(int rounds, int historyTokens) throws Exception {
    // The reference tokenizer's tokens per word, from one request: the history then has about the asked length.
    double perWord = first(words(50, 99), 1).get("usage").get("input_tokens").asDouble() / 50;
    int historyWords = (int) Math.round((historyTokens - FIRST_TURN_TOKENS) / perWord);
    List<Turn> followUps = new ArrayList<>();
    List<Turn> fresh = new ArrayList<>();
    for (int r = 0; r < rounds; r++) {
      JsonNode turn1 = first(words(historyWords, 2 * r), FIRST_TURN_TOKENS);
      Turn followUp = streamed(body("And then? Go on.", turn1.get("id").asText()));
      // The same prompt length, none of it seen before: its words are this round's other salt.
      int freshWords = (int) Math.round(followUp.promptTokens() / perWord);
      fresh.add(streamed(body(words(freshWords, 2 * r + 1), null)));
      followUps.add(followUp);
    }
    return new Result(followUps, fresh);
  }

  /**
   * {@code count} words no other salt's text shares, so no KV block of one is another's; all of one
   * width, so every word takes as many tokens and the length can be set from a sample.
   */
  private static String words(int count, int salt) {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < count; i++) {
      text.append(i == 0 ? "" : " ").append(String.format("w%02dx%02d", salt % 100, i % 97));
    }
    return text.toString();
  }

  private JsonNode first(String input, int maxTokens) throws Exception {
    ObjectNode body = JSON.createObjectNode().put("model", MODEL).put("input", input)
        .put("max_output_tokens", maxTokens).put("seed", 1);
    HttpResponse<String> r = http.send(post(body), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException("a first turn failed: " + r.statusCode() + " " + r.body());
    }
    return JSON.readTree(r.body());
  }

  private static ObjectNode body(String input, String previous) {
    ObjectNode body = JSON.createObjectNode().put("model", MODEL).put("input", input).put("max_output_tokens", 4)
        .put("seed", 2).put("stream", true);
    if (previous != null) {
      body.put("previous_response_id", previous);
    }
    return body;
  }

  /** Streams one response to its end: the time to its first delta, and its usage from the last event. */
  private Turn streamed(ObjectNode body) throws Exception {
    long start = System.nanoTime();
    HttpResponse<InputStream> r = http.send(post(body), HttpResponse.BodyHandlers.ofInputStream());
    if (r.statusCode() != 200) {
      throw new IllegalStateException("a streamed response failed: " + r.statusCode());
    }
    double ttft = -1;
    JsonNode last = null;
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = lines.readLine()) != null) {
        if (!line.startsWith("data: ")) {
          continue;
        }
        JsonNode event = JSON.readTree(line.substring(6));
        if (ttft < 0 && "response.output_text.delta".equals(event.path("type").asText())) {
          ttft = (System.nanoTime() - start) / 1e6;
        }
        last = event;
      }
    }
    if (last == null || !last.has("response") || ttft < 0) {
      throw new IllegalStateException("the stream ended without text and a final response: " + last);
    }
    JsonNode usage = last.get("response").get("usage");
    return new Turn(ttft, usage.get("input_tokens").asInt(), usage.at("/input_tokens_details/cached_tokens").asInt());
  }

  private HttpRequest post(JsonNode body) {
    return HttpRequest.newBuilder(URI.create(base + "/v1/responses")).timeout(Duration.ofSeconds(60))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
  }

  /** The markdown table: each path's TTFT and prefill, and the follow-up's TTFT as a share of the fresh one's. */
  static List<String> table(Result r, int historyTokens) {
    List<String> out = new ArrayList<>();
    out.add("Responses API, a conversation's second turn vs the same prompt length sent fresh (history about "
        + historyTokens + " tokens, " + r.followUps().size() + " rounds); ms, p50 / max.");
    out.add("");
    out.add("| request | prompt tokens p50 | prefilled tokens p50 | cached tokens p50 | TTFT p50 | TTFT max |");
    out.add("|---|---:|---:|---:|---:|---:|");
    out.add(row("second turn (previous_response_id)", r.followUps()));
    out.add(row("same prompt length, sent fresh", r.fresh()));
    double ratio = p50(r.followUps().stream().map(Turn::ttftMs).toList())
        / p50(r.fresh().stream().map(Turn::ttftMs).toList());
    out.add("");
    out.add(String.format("Second turn TTFT / fresh TTFT (p50): **%.2f** (target ≤ 0.50).", ratio));
    return out;
  }

  private static String row(String name, List<Turn> turns) {
    List<Double> ttft = turns.stream().map(Turn::ttftMs).toList();
    return String.format("| %s | %.0f | %.0f | %.0f | %.1f | %.1f |", name,
        p50(turns.stream().map(t -> (double) t.promptTokens()).toList()),
        p50(turns.stream().map(t -> (double) t.prefilled()).toList()),
        p50(turns.stream().map(t -> (double) t.cachedTokens()).toList()), p50(ttft),
        StreamLatency.percentile(ttft, 1.0));
  }

  private static double p50(List<Double> values) {
    return StreamLatency.percentile(values, 0.5);
  }
}
