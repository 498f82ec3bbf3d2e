package io.baton.chaos.report;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The timeline's choices that are not drawing: which sessions get a lane, ticks, bracket ends,
 * status colours.
 */
final class TimelineLanes {
  private static final double[] STEPS =
      {0.5, 1, 2, 5, 10, 15, 20, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200};

  private TimelineLanes() {}

  /**
   * At most {@code cap} sessions, in submission order. When some must be left out, sessions that
   * went wrong (not completed, not matching, a recovery over bound) keep their lanes first,
   * because they are the ones a reader opens the picture for.
   */
  static List<SessionRecord> pick(List<SessionRecord> migrated, List<RecoverySample> recoveries,
      int cap) {
    Comparator<SessionRecord> bySubmission = Comparator.comparing(SessionRecord::submittedAt);
    if (migrated.size() <= cap) {
      return migrated.stream().sorted(bySubmission).toList();
    }
    Set<String> overBound = new LinkedHashSet<>();
    recoveries.stream().filter(r -> !r.withinBound()).forEach(r -> overBound.add(r.sessionId()));
    List<SessionRecord> chosen = new ArrayList<>();
    migrated.stream().sorted(bySubmission).filter(s -> problem(s, overBound)).limit(cap)
        .forEach(chosen::add);
    migrated.stream().sorted(bySubmission).filter(s -> !problem(s, overBound))
        .limit(cap - chosen.size()).forEach(chosen::add);
    return chosen.stream().sorted(bySubmission).toList();
  }

  private static boolean problem(SessionRecord s, Set<String> overBound) {
    return !s.matchesReference() || !"COMPLETED".equals(s.status())
        || overBound.contains(s.sessionId());
  }

  /** A round step giving at most about 12 ticks across {@code span} seconds. */
  static double tickStep(double span) {
    for (double step : STEPS) {
      if (span / step <= 12) {
        return step;
      }
    }
    return Math.ceil(span / 12 / 3600) * 3600;
  }

  /**
   * The attempt whose first token a recovery sample ends at. The sample carries no timestamps, so
   * pick the attempt whose first token minus the recovery lands closest to a fault of the same
   * kind (any fault when none of that kind was recorded); null when no attempt got a token.
   */
  static AttemptRecord resumedAttempt(SessionRecord s, RecoverySample r, List<FaultRecord> faults) {
    List<Instant> faultTimes = faults.stream().filter(f -> f.kind().equals(r.faultKind()))
        .map(FaultRecord::at).toList();
    if (faultTimes.isEmpty()) {
      faultTimes = faults.stream().map(FaultRecord::at).toList();
    }
    AttemptRecord best = null;
    long bestGap = Long.MAX_VALUE;
    for (AttemptRecord a : s.attempts()) {
      if (a.firstTokenAt() == null) {
        continue;
      }
      long start = a.firstTokenAt().toEpochMilli() - r.millis();
      long gap = faultTimes.stream().mapToLong(t -> Math.abs(t.toEpochMilli() - start)).min()
          // No fault at all: prefer the latest attempt, which is the one that resumed.
          .orElse(-a.number());
      if (best == null || gap < bestGap) {
        best = a;
        bestGap = gap;
      }
    }
    return best;
  }

  /** ACTIVE green, SPARE grey, SUSPECT/RESETTING orange, CORDONED/RETIRED red, DRAINING yellow. */
  static String statusColor(String status) {
    switch (status) {
      case "ACTIVE": return "#43a047";
      case "SPARE": return "#bdbdbd";
      case "SUSPECT": case "RESETTING": return "#fb8c00";
      case "CORDONED": case "RETIRED": return "#e53935";
      case "DRAINING": return "#fdd835";
      default: return "#cfd8dc";
    }
  }
}
