package io.baton.chaos;

import java.time.Instant;
import java.util.List;

/**
 * Everything one streaming client saw, kept raw so invariant 3 can find gaps and duplicates itself
 * rather than trusting the client's own stitching.
 *
 * @param sessionId null when no node accepted the request
 * @param received every token event of every connection, in arrival order
 */
record StreamLog(int index, String sessionId, Instant submittedAt, List<Received> received,
    List<Connection> connections, Outcome outcome, String detail) {

  /** One token event as it arrived: on which connection, its SSE id and its text. */
  record Received(int connection, int eventId, String text) {}

  /** Why a connection ended. */
  enum Close { DONE, DELIBERATE_DROP, BROKEN, SILENT, ERROR_EVENT, REFUSED }

  record Connection(int number, String node, Instant openedAt, Instant closedAt, Close close, String lastEventId) {}

  /** How the client saw its request end. */
  enum Outcome {
    /** The stream ended with a finish chunk and [DONE]. */
    FINISHED,
    /** The stream ended with an error object naming a failed or cancelled session. */
    SESSION_ENDED_UNSUCCESSFULLY,
    /** No node accepted the request (none counted as accepted; nothing to check for it). */
    NOT_ACCEPTED,
    /** Accepted, but the client ran out of time before reading the end. */
    GAVE_UP
  }

  boolean accepted() {
    return sessionId != null;
  }

  String stitchedText() {
    StringBuilder text = new StringBuilder();
    received.forEach(r -> text.append(r.text()));
    return text.toString();
  }

  long reconnects() {
    return Math.max(0, connections.size() - 1);
  }
}
