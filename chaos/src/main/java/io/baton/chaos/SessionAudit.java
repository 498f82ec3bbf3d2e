package io.baton.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import io.baton.chaos.report.AttemptRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A session as the cluster recorded it, read after the run: its view ({@code /v1/sessions/{id}}),
 * its journal ({@code /events}) and its durable text replayed from token 0. The checks read only
 * this and the clients' logs, never the clients' own conclusions.
 *
 * @param key the reference key ("c3", "b7") of the request behind it
 * @param found false when no node could show the session (then everything else is empty)
 */
record SessionAudit(String sessionId, String key, boolean found, String status, String endReason, int tokens,
    Instant submittedAt, List<Event> events, String replayText) {

  static final Set<String> TERMINAL_EVENTS = Set.of("Completed", "Failed", "Cancelled");
  static final Set<String> TERMINAL_STATUSES = Set.of("completed", "failed", "cancelled");

  /** One journal event: its sequence number, type, time and payload summary. */
  record Event(long seqNr, String type, Instant at, JsonNode summary) {
    int attempt() {
      return summary.path("attempt").asInt(-1);
    }
  }

  static SessionAudit read(Fleet fleet, String sessionId, String key) {
    Optional<JsonNode> view = fleet.session(sessionId);
    Optional<JsonNode> history = fleet.events(sessionId);
    if (view.isEmpty() || history.isEmpty()) {
      return new SessionAudit(sessionId, key, false, "unknown", null, 0, null, List.of(), null);
    }
    List<Event> events = new ArrayList<>();
    for (JsonNode e : history.get().path("data")) {
      String at = e.path("at").asText("null");
      events.add(new Event(e.path("seq_nr").asLong(), e.path("type").asText(),
          at.equals("null") ? null : Instant.parse(at), e.path("summary")));
    }
    JsonNode v = view.get();
    String status = v.path("status").asText();
    String replay = TERMINAL_STATUSES.contains(status) ? fleet.replayText(sessionId).orElse(null) : null;
    String submitted = v.at("/timings/submitted_at").asText("null");
    return new SessionAudit(sessionId, key, true, status, v.path("end_reason").isNull() ? null
        : v.path("end_reason").asText(), v.path("tokens").asInt(), submitted.equals("null") ? null
        : Instant.parse(submitted), List.copyOf(events), replay);
  }

  long terminalEvents() {
    return events.stream().filter(e -> TERMINAL_EVENTS.contains(e.type())).count();
  }

  Optional<Instant> endedAt() {
    return events.stream().filter(e -> TERMINAL_EVENTS.contains(e.type())).map(Event::at).findFirst();
  }

  /** Every attempt from the journal: placed, first durable token, end, and why it failed. */
  List<AttemptRecord> attempts() {
    List<AttemptRecord> out = new ArrayList<>();
    for (Event placed : events) {
      if (!placed.type().equals("Placed")) {
        continue;
      }
      int n = placed.attempt();
      Instant firstToken = firstTokenOf(n).orElse(null);
      Instant ended = null;
      String failure = null;
      for (Event e : events) {
        if (e.type().equals("AttemptFailed") && e.attempt() == n) {
          ended = e.at();
          JsonNode s = e.summary();
          failure = s.path("cause").asText() + (s.path("xid").isNull() || s.path("xid").asInt(0) == 0 ? ""
              : " xid " + s.path("xid").asInt() + " (" + s.path("xid_class").asText() + ")");
          break;
        }
      }
      if (ended == null && n == lastAttempt()) {
        ended = endedAt().orElse(null);
      }
      out.add(new AttemptRecord(n, placed.summary().path("worker").asText(), placed.summary().path("method").asText(),
          placed.at(), firstToken, ended, failure));
    }
    return out;
  }

  Optional<Instant> firstTokenOf(int attempt) {
    return events.stream().filter(e -> e.type().equals("TokensAppended") && e.attempt() == attempt)
        .map(Event::at).findFirst();
  }

  /** The attempt ended because the admission queue preempted it. */
  boolean endedPreempted(int attempt) {
    return events.stream().anyMatch(e -> e.type().equals("AttemptFailed") && e.attempt() == attempt
        && Preemptions.CAUSE.equals(e.summary().path("cause").asText()));
  }

  int lastAttempt() {
    return events.stream().filter(e -> e.type().equals("Placed")).mapToInt(Event::attempt).max().orElse(0);
  }

  /** The attempt generating at {@code t}: placed before, not failed before, session not ended before. */
  Optional<Event> runningAt(Instant t) {
    Event running = null;
    for (Event e : events) {
      if (e.at() == null) {
        continue; // an event the events endpoint gives no time: it cannot end the search early
      }
      if (e.at().isAfter(t)) {
        break;
      }
      if (e.type().equals("Placed")) {
        running = e;
      } else if (e.type().equals("AttemptFailed") && running != null && e.attempt() == running.attempt()) {
        running = null;
      } else if (TERMINAL_EVENTS.contains(e.type())) {
        return Optional.empty();
      }
    }
    return Optional.ofNullable(running);
  }
}
