package io.baton.actors.feed;

import io.baton.actors.CborSerializable;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One event on the admin feed, as every node holds it. The id is given once, where the event is
 * published, so the same event has the same id on every node: a client that reconnects to another
 * node with {@code Last-Event-ID} resumes after it there too. Ids order by time, then origin, then
 * sequence: {@code <epoch millis>-<origin node>-<sequence>}.
 */
public record FeedEntry(String id, Instant at, String origin, FeedEvent event) implements CborSerializable {
  public static final String TOPIC = "baton-admin-feed";

  private static final AtomicLong SEQUENCE = new AtomicLong();

  public static FeedEntry of(String origin, FeedEvent event) {
    Instant at = Instant.now();
    return new FeedEntry(at.toEpochMilli() + "-" + origin + "-" + SEQUENCE.incrementAndGet(), at, origin, event);
  }

  /** The time in an entry id, or -1 when it is not one: a client's Last-Event-ID is only a hint. */
  public static long millisOf(String id) {
    int dash = id == null ? -1 : id.indexOf('-');
    if (dash <= 0) {
      return -1;
    }
    try {
      return Long.parseLong(id.substring(0, dash));
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
