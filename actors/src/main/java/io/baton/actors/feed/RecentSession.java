package io.baton.actors.feed;

import java.time.Instant;

/**
 * One row of the console's session list, as the admin feed told it: what a node can say about a
 * session without asking its entity. {@code attempts} and {@code gpu} are those of the latest
 * attempt heard.
 */
public record RecentSession(String id, String tenant, String model, String serviceClass, String status,
    int attempts, String gpu, int tokens, Instant submittedAt, Instant updatedAt) {

  /** The row after {@code entry}, or a new one when {@code row} is null; unchanged for other events. */
  public static RecentSession after(RecentSession row, FeedEntry entry) {
    FeedEvent e = entry.event();
    Instant at = entry.at();
    if (e instanceof FeedEvent.SessionSubmitted s) {
      return new RecentSession(s.session(), s.tenant(), s.model(), s.serviceClass(), "pending", 0, null, 0, at, at);
    }
    if (!(e instanceof FeedEvent.OfSession about)) {
      return row;
    }
    // A session first heard of mid-life (submitted before this node started) starts blank.
    RecentSession r = row != null ? row
        : new RecentSession(about.session(), about.tenant(), about.model(), null, "pending", 0, null, 0, null, at);
    if (e instanceof FeedEvent.AttemptPlaced p) {
      return new RecentSession(r.id, r.tenant, r.model, r.serviceClass, "running", p.attempt(), p.gpu(),
          Math.max(r.tokens, p.resumeFrom()), r.submittedAt, at);
    } else if (e instanceof FeedEvent.AttemptFailed f) {
      return new RecentSession(r.id, r.tenant, r.model, r.serviceClass, "pending", f.attempt(), f.gpu(), f.tokens(),
          r.submittedAt, at);
    } else if (e instanceof FeedEvent.SessionEnded d) {
      return new RecentSession(r.id, r.tenant, r.model, r.serviceClass, d.status(), d.attempts(), r.gpu, d.tokens(),
          r.submittedAt, at);
    }
    return r;
  }

  /** The session {@code event} is about, or null when it is about none. */
  public static String sessionOf(FeedEvent event) {
    return event instanceof FeedEvent.OfSession s ? s.session() : null;
  }
}
