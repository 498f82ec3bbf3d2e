package io.baton.chaos;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The attempts the admission queue preempted, read from the sessions' journals (AttemptFailed with
 * cause PREEMPTED). A preemption is the queue giving a lower-class session's GPU to waiting
 * interactive work, not a fault: invariant 5 counts them and times none (see {@link Recoveries}).
 *
 * @param ofBatchLines preempted attempts of batch lines (they run as class batch)
 * @param ofStreams preempted attempts of the workload's streams, which run as interactive, a class
 *     the queue never preempts: any is the queue's error
 * @param sessions sessions preempted at least once
 * @param completed of those, the ones that completed (invariant 2 compares their text)
 * @param at when each preemption was recorded, in order
 */
record Preemptions(int ofBatchLines, int ofStreams, int sessions, int completed, List<Instant> at) {

  static final String CAUSE = "PREEMPTED";

  static Preemptions of(List<SessionAudit> audits) {
    int batch = 0;
    int streams = 0;
    int sessions = 0;
    int completed = 0;
    List<Instant> at = new ArrayList<>();
    for (SessionAudit s : audits) {
      List<SessionAudit.Event> ended = s.events().stream()
          .filter(e -> e.type().equals("AttemptFailed") && CAUSE.equals(e.summary().path("cause").asText())).toList();
      if (ended.isEmpty()) {
        continue;
      }
      sessions++;
      completed += "completed".equals(s.status()) ? 1 : 0;
      if (s.key().startsWith("b")) {
        batch += ended.size();
      } else {
        streams += ended.size();
      }
      ended.stream().map(SessionAudit.Event::at).filter(t -> t != null).forEach(at::add);
    }
    at.sort(Instant::compareTo);
    return new Preemptions(batch, streams, sessions, completed, List.copyOf(at));
  }

  int attempts() {
    return ofBatchLines + ofStreams;
  }

  /** "14 attempts ended PREEMPTED (14 of batch lines, 0 of streams) in 12 sessions, ...", times from {@code start}. */
  String describe(Instant start) {
    if (attempts() == 0) {
      return "no attempt was preempted";
    }
    String span = at.isEmpty() ? "" : ", at +" + seconds(start, at.get(0)) + " s"
        + (at.size() > 1 ? " to +" + seconds(start, at.get(at.size() - 1)) + " s" : "");
    return attempts() + " attempts ended " + CAUSE + " (" + ofBatchLines + " of batch lines, " + ofStreams
        + " of streams) in " + sessions + " sessions, " + completed + " of them completed" + span;
  }

  private static String seconds(Instant start, Instant t) {
    return String.format("%.1f", Duration.between(start, t).toMillis() / 1000.0);
  }
}
