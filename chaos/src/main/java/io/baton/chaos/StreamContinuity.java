package io.baton.chaos;

import io.baton.chaos.report.InvariantResult;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Invariant 3: every client stream, stitched across its reconnects, is gap-free and duplicate-free
 * by SSE event id (= token index): a finished stream holds each index from 0 to the session's last
 * exactly once; an unfinished one a gap-free prefix. And the journal replay filter, run in
 * {@code fail} mode, never found two writers of one session: its messages are searched for in the
 * node logs.
 */
final class StreamContinuity implements Invariant {
  /** pekko-persistence's ReplayFilter: "Invalid replayed event [...] from a new writer / old writer / same writer". */
  static final Pattern REPLAY_FILTER = Pattern.compile("Invalid replayed event|There was already a newer writer");

  @Override
  public InvariantResult check(Observations o) {
    Map<String, Integer> tokensBySession = new HashMap<>();
    o.sessions().forEach(s -> tokensBySession.put(s.sessionId(), s.tokens()));
    List<String> problems = new ArrayList<>();
    int streams = 0;
    long reconnects = 0;
    long drops = 0;
    for (StreamLog log : o.streams()) {
      if (!log.accepted()) {
        continue;
      }
      streams++;
      reconnects += log.reconnects();
      drops += log.connections().stream().filter(c -> c.close() == StreamLog.Close.DELIBERATE_DROP).count();
      int[] seen = new int[4096];
      int max = -1;
      List<Integer> duplicates = new ArrayList<>();
      for (StreamLog.Received r : log.received()) {
        if (r.eventId() < 0 || r.eventId() >= seen.length) {
          problems.add(log.sessionId() + ": event id " + r.eventId() + " out of range");
          continue;
        }
        if (++seen[r.eventId()] > 1) {
          duplicates.add(r.eventId());
        }
        max = Math.max(max, r.eventId());
      }
      List<Integer> gaps = new ArrayList<>();
      int expectedLast = log.outcome() == StreamLog.Outcome.FINISHED
          ? tokensBySession.getOrDefault(log.sessionId(), max + 1) - 1 : max;
      for (int i = 0; i <= expectedLast; i++) {
        if (seen[i] == 0) {
          gaps.add(i);
        }
      }
      if (!duplicates.isEmpty()) {
        problems.add(log.sessionId() + ": duplicate ids " + head(duplicates));
      }
      if (!gaps.isEmpty()) {
        problems.add(log.sessionId() + ": missing ids " + head(gaps) + " (" + log.connections().size()
            + " connections)");
      }
    }
    List<String> writers = NodeLogs.matching(o.nodeLogs(), REPLAY_FILTER);
    writers.forEach(line -> problems.add("replay filter: " + line));
    String counted = streams + " streams, " + reconnects + " reconnects (" + drops + " deliberate drops);"
        + " replay-filter (mode fail) messages in node logs: " + writers.size();
    return new InvariantResult(3, "streams gap-free and duplicate-free; one writer per session", problems.isEmpty(),
        problems.isEmpty() ? counted : counted + ". " + problems.size() + " problems: " + Invariant.some(problems));
  }

  private static String head(List<Integer> ids) {
    return ids.size() <= 10 ? ids.toString() : ids.subList(0, 10) + "... (" + ids.size() + ")";
  }
}
