package io.baton.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/** Reads a completions SSE body one event at a time, as a browser's EventSource would. */
final class Sse implements AutoCloseable {

  /**
   * One event: its {@code id:} (null if none), its {@code data:} (a JSON chunk, an error object or
   * [DONE]) and that data parsed once (null for [DONE] or anything not JSON).
   */
  record Event(String id, String data, JsonNode json) {
    static Event of(String id, String data) {
      return new Event(id, data, "[DONE]".equals(data) ? null : Http.parse(data));
    }

    boolean done() {
      return "[DONE]".equals(data);
    }

    /** An error object instead of a chunk: the session failed, was cancelled, or the node lost it. */
    boolean error() {
      return json != null && json.has("error");
    }

    /** A token's chunk: text and no finish reason. The finish chunk repeats the last token's id, so it is not one. */
    boolean token() {
      return json != null && !json.has("error") && json.at("/choices/0/finish_reason").isNull() && id != null;
    }

    boolean finish() {
      return json != null && !json.has("error") && json.at("/choices/0/finish_reason").isTextual();
    }

    String text() {
      return json == null ? "" : json.at("/choices/0/text").asText("");
    }

    int index() {
      return Integer.parseInt(id.trim());
    }
  }

  private final InputStream body;
  private final BufferedReader reader;
  /** When the last line (a ping included) arrived: a stream silent for long sits on a dead or frozen node. */
  private volatile long lastActivityNanos = System.nanoTime();

  Sse(InputStream body) {
    this.body = body;
    this.reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
  }

  /** The next event, skipping comments (": ping"); null at the end of the body. */
  Event next() throws IOException {
    String id = null;
    StringBuilder data = null;
    String line;
    while ((line = reader.readLine()) != null) {
      lastActivityNanos = System.nanoTime();
      if (line.isEmpty()) {
        if (data != null) {
          return Event.of(id, data.toString());
        }
      } else if (line.startsWith("id: ")) {
        id = line.substring(4);
      } else if (line.startsWith("data: ")) {
        data = data == null ? new StringBuilder(line.substring(6)) : data.append('\n').append(line.substring(6));
      }
    }
    return null;
  }

  long silentMillis() {
    return (System.nanoTime() - lastActivityNanos) / 1_000_000;
  }

  /** Closing the body drops the connection, as a client that goes away does. */
  @Override
  public void close() {
    try {
      body.close();
    } catch (IOException ignored) {
      // Already broken: that is what closing was for.
    }
  }
}
