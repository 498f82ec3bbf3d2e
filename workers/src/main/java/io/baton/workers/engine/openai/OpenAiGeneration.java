package io.baton.workers.engine.openai;

import com.fasterxml.jackson.databind.JsonNode;
import io.baton.workers.engine.Generation;
import io.baton.workers.engine.KvBlock;
import io.baton.workers.engine.Tokenizer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;

/**
 * One streaming completion, read as server-sent events: {@code data: {json}} lines, each chunk's
 * {@code choices[0].text} the next text delta, until a chunk with a {@code finish_reason} or
 * {@code data: [DONE]}. Comment lines (starting with ':'), blank lines and other SSE fields are
 * skipped.
 *
 * <p>{@link #step()} hands out the tokens of the deltas one at a time, reading further chunks as
 * needed. Once the stream has ended and every token has been handed out, {@code step()} throws
 * {@link IllegalStateException}("generation finished") — the same exception the SPI uses for a full
 * context, since for the caller both mean that nothing more will come. {@link #finished()} asks
 * without throwing, and {@link #finishReason()} tells why it ended. A stream that breaks off without
 * a finish, or carries an error object, throws {@link OpenAiHttpException}.
 *
 * <p>{@link #exportBlocks} returns no blocks: the server's KV cache is not reachable. Steps report
 * no simulated time, since the real server's latency is already spent while reading. Call
 * {@link #close()} to abandon a generation early; it closes the HTTP stream.
 */
public final class OpenAiGeneration implements Generation, AutoCloseable {
  private final Tokenizer tokenizer;
  private final int startContext;
  private final int startIndex;
  private final BufferedReader reader;
  private final ArrayDeque<Integer> buffer = new ArrayDeque<>();
  private int index;
  private boolean ended;
  private String finishReason;

  OpenAiGeneration(Tokenizer tokenizer, int context, int generated, InputStream body) {
    this.tokenizer = tokenizer;
    this.startContext = context;
    this.startIndex = generated;
    this.index = generated;
    this.reader =
        body == null ? null : new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
    this.ended = body == null;
  }

  /** A generation with nothing left to produce (its token budget or the context is used up). */
  static OpenAiGeneration finished(Tokenizer tokenizer, int context, int generated) {
    OpenAiGeneration g = new OpenAiGeneration(tokenizer, context, generated, null);
    g.finishReason = "length";
    return g;
  }

  @Override
  public PrefillStats prefill() {
    // The server may have prefix-cached some of it; the API does not say, so count all as computed.
    return new PrefillStats(startContext, 0, 0, startContext, Duration.ZERO);
  }

  /**
   * The next token.
   *
   * @throws IllegalStateException when the generation has finished
   * @throws OpenAiHttpException when the stream breaks off or reports an error
   */
  @Override
  public Step step() {
    if (!fill()) {
      throw new IllegalStateException("generation finished");
    }
    return new Step(buffer.poll(), index++, Duration.ZERO);
  }

  /**
   * Whether no token is left: reads ahead (blocking) until a token is buffered or the stream ends.
   */
  public boolean finished() {
    return !fill();
  }

  /** Why the server stopped ({@code "length"}, {@code "stop"}, ...), once the stream has ended. */
  public Optional<String> finishReason() {
    return Optional.ofNullable(finishReason);
  }

  @Override
  public int nextIndex() {
    return index;
  }

  @Override
  public int contextLength() {
    return startContext + (index - startIndex);
  }

  @Override
  public List<KvBlock> exportBlocks(int fromBlock) {
    return List.of();
  }

  @Override
  public void close() {
    ended = true;
    if (reader != null) {
      try {
        reader.close();
      } catch (IOException ignored) {
        // nothing left to release
      }
    }
  }

  /** Reads chunks until a token is buffered or the stream ends; true when a token is buffered. */
  private boolean fill() {
    while (buffer.isEmpty() && !ended) {
      String line;
      try {
        line = reader.readLine();
      } catch (IOException e) {
        close();
        throw new OpenAiHttpException(0, "stream broke off: " + e, null, e);
      }
      if (line == null) {
        close();
        throw new OpenAiHttpException(0, "stream ended without a finish_reason or [DONE]", null);
      }
      onLine(line);
    }
    return !buffer.isEmpty();
  }

  private void onLine(String line) {
    if (line.isEmpty() || line.startsWith(":") || !line.startsWith("data:")) {
      return; // blank separator, comment, or another SSE field (event:, id:, retry:)
    }
    String data = line.substring("data:".length()).strip();
    if (data.equals("[DONE]")) {
      if (finishReason == null) {
        finishReason = "done";
      }
      close();
      return;
    }
    JsonNode chunk;
    try {
      chunk = OpenAiHttpEngine.JSON.readTree(data);
    } catch (IOException e) {
      close();
      throw new OpenAiHttpException(0, "malformed chunk", data, e);
    }
    if (chunk.hasNonNull("error")) {
      close();
      throw new OpenAiHttpException(0, "error in stream", chunk.get("error").toString());
    }
    JsonNode choice = chunk.path("choices").path(0);
    String text = choice.path("text").asText("");
    if (!text.isEmpty()) {
      for (int id : tokenizer.encode(text)) {
        buffer.add(id);
      }
    }
    JsonNode reason = choice.get("finish_reason");
    if (reason != null && !reason.isNull()) {
      finishReason = reason.asText();
      close();
    }
  }
}
