package io.baton.orchestrator.feed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Reads an admin feed (SSE) on its own thread into a queue, as a console would, so a test waits
 * for an event with a deadline instead of blocking on the socket. Lines may carry a space after the
 * field's colon or not, as the SSE specification allows.
 */
public final class FeedReader implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  public record Event(String id, String type, JsonNode data) {}

  private final InputStream body;
  private final LinkedBlockingQueue<Event> events = new LinkedBlockingQueue<>();
  /** Every event read so far, in order. */
  public final List<Event> seen = new ArrayList<>();

  public FeedReader(InputStream body) {
    this.body = body;
    Thread reader = new Thread(this::read, "feed-reader");
    reader.setDaemon(true);
    reader.start();
  }

  private void read() {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
      String id = null;
      String type = null;
      StringBuilder data = null;
      String line;
      while ((line = in.readLine()) != null) {
        if (line.isEmpty()) {
          // An empty data field is the feed's heartbeat; SSE dispatches no event for it.
          if (data != null && !data.isEmpty()) {
            events.add(new Event(id, type, JSON.readTree(data.toString())));
          }
          id = null;
          type = null;
          data = null;
        } else if (!line.startsWith(":")) {
          int colon = line.indexOf(':');
          String field = colon < 0 ? line : line.substring(0, colon);
          String value = colon < 0 ? "" : line.substring(colon + 1).replaceFirst("^ ", "");
          switch (field) {
            case "id" -> id = value;
            case "event" -> type = value;
            case "data" -> data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
            default -> { }
          }
        }
      }
    } catch (IOException e) {
      if (!Thread.currentThread().isInterrupted()) {
        events.add(new Event(null, "closed", JSON.getNodeFactory().textNode(String.valueOf(e))));
      }
    }
  }

  /**
   * The first event read that matches, already or within {@code timeout}; fails naming what it saw.
   * Events arrive in the feed's order, not the test's: an earlier wait may have read past this one.
   */
  public Event await(Predicate<Event> match, Duration timeout, String what) {
    for (Event e : seen) {
      if (match.test(e)) {
        return e;
      }
    }
    return next(match, timeout, what);
  }

  /** The first event not read yet that matches, within {@code timeout}. */
  public Event next(Predicate<Event> match, Duration timeout, String what) {
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      while (true) {
        long left = deadline - System.nanoTime();
        Event e = left <= 0 ? null : events.poll(left, TimeUnit.NANOSECONDS);
        if (e == null) {
          throw new AssertionError("no " + what + " within " + timeout.toMillis() + " ms; saw " + types());
        }
        seen.add(e);
        if (match.test(e)) {
          return e;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private List<String> types() {
    return seen.stream().map(e -> e.type() + (e.data().has("gpu") ? "@" + e.data().get("gpu").asText() : "")).toList();
  }

  public static Predicate<Event> type(String type) {
    return e -> type.equals(e.type());
  }

  /** Follows {@code base}'s admin feed from its history's start, or after {@code lastEventId}. */
  public static FeedReader follow(String base, String token, String lastEventId) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/admin/events"));
    if (token != null && !token.isEmpty()) {
      b.header("Authorization", "Bearer " + token);
    }
    if (lastEventId != null) {
      b.header("Last-Event-ID", lastEventId);
    }
    HttpResponse<InputStream> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
    if (r.statusCode() != 200 || !r.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream")) {
      throw new AssertionError("GET /admin/events answered " + r.statusCode() + " " + r.headers().map());
    }
    return new FeedReader(r.body());
  }

  @Override
  public void close() {
    try {
      body.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
