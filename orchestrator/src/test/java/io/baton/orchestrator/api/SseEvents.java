package io.baton.orchestrator.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Reads an SSE body (completions, responses) one event at a time, as a browser's EventSource would. */
public final class SseEvents implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One event: its {@code id:} (null if none) and its {@code data:} (the JSON chunk, or [DONE]). */
  public record Event(String id, String data) {
    boolean done() {
      return "[DONE]".equals(data);
    }

    public JsonNode json() {
      try {
        return JSON.readTree(data);
      } catch (IOException e) {
        throw new AssertionError("not a JSON chunk: " + data, e);
      }
    }

    /** A token's chunk: a text chunk without a finish reason. */
    boolean token() {
      return !done() && json().at("/choices/0/finish_reason").isNull();
    }

    String text() {
      return done() ? "" : json().at("/choices/0/text").asText("");
    }

    int index() {
      return Integer.parseInt(id);
    }
  }

  private final InputStream body;
  private final BufferedReader reader;

  public SseEvents(InputStream body) {
    this.body = body;
    this.reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
  }

  /** The next event, skipping comments (": ping"); null at the end of the body. */
  public Event next() throws IOException {
    String id = null;
    StringBuilder data = null;
    String line;
    while ((line = reader.readLine()) != null) {
      if (line.isEmpty()) {
        if (data != null) {
          return new Event(id, data.toString());
        }
      } else if (line.startsWith("id: ")) {
        id = line.substring(4);
      } else if (line.startsWith("data: ")) {
        data = data == null ? new StringBuilder(line.substring(6)) : data.append('\n').append(line.substring(6));
      }
    }
    return null;
  }

  /** Every event up to and including [DONE]; fails if the body ends without it. */
  List<Event> toDone() throws IOException {
    List<Event> events = new ArrayList<>();
    Event e;
    while ((e = next()) != null) {
      events.add(e);
      if (e.done()) {
        return events;
      }
    }
    throw new AssertionError("the stream ended without [DONE] after " + events.size() + " events: " + events);
  }

  static String text(List<Event> events) {
    StringBuilder text = new StringBuilder();
    events.forEach(e -> text.append(e.text()));
    return text.toString();
  }

  /** Closing the body drops the connection, as a client that goes away does. */
  @Override
  public void close() throws IOException {
    body.close();
  }
}
