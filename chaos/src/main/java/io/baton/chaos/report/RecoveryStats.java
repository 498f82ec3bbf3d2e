package io.baton.chaos.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Recovery figures of one fault kind. Percentiles are nearest-rank on the sorted millis, so every
 * figure is a recovery that really happened (no interpolation between two runs' worth of noise).
 *
 * @param minBound the smallest bound among the samples; equal to {@code maxBound} unless the
 *     suite changed the bound of a kind mid-run, which the report then shows as a range
 * @param overBound how many samples exceeded their own bound
 */
public record RecoveryStats(String faultKind, int count, long p50, long p99, long max,
    long minBound, long maxBound, int overBound) {

  public boolean withinBound() {
    return overBound == 0;
  }

  /** Groups samples by fault kind, in the order each kind first appears. */
  public static List<RecoveryStats> byKind(List<RecoverySample> samples) {
    Map<String, List<RecoverySample>> groups = new LinkedHashMap<>();
    for (RecoverySample s : samples) {
      groups.computeIfAbsent(s.faultKind(), k -> new ArrayList<>()).add(s);
    }
    List<RecoveryStats> out = new ArrayList<>();
    groups.forEach((kind, group) -> out.add(of(kind, group)));
    return out;
  }

  static RecoveryStats of(String kind, List<RecoverySample> group) {
    List<Long> millis = group.stream().map(RecoverySample::millis).toList();
    long minBound = group.stream().mapToLong(RecoverySample::boundMillis).min().orElse(0);
    long maxBound = group.stream().mapToLong(RecoverySample::boundMillis).max().orElse(0);
    int over = (int) group.stream().filter(s -> !s.withinBound()).count();
    return new RecoveryStats(kind, group.size(), nearestRank(millis, 50), nearestRank(millis, 99),
        nearestRank(millis, 100), minBound, maxBound, over);
  }

  /**
   * Nearest-rank percentile: the value at rank ceil(p/100 * n) of the ascending list (rank 1 for
   * p = 0). Throws on an empty list, because a percentile of nothing has no honest value.
   */
  public static long nearestRank(List<Long> millis, double percentile) {
    if (millis.isEmpty()) {
      throw new IllegalArgumentException("percentile of an empty list");
    }
    if (percentile < 0 || percentile > 100) {
      throw new IllegalArgumentException("percentile out of [0, 100]: " + percentile);
    }
    List<Long> sorted = millis.stream().sorted().toList();
    int rank = (int) Math.ceil(percentile / 100.0 * sorted.size());
    return sorted.get(Math.max(rank, 1) - 1);
  }

  /**
   * The sample closest to (or furthest over) its bound, by millis/bound; null when there are none.
   * Ratio rather than raw millis because a 3 s node-crash recovery inside a 4.5 s bound is less
   * worrying than a 0.9 s XID recovery inside a 1 s bound.
   */
  public static RecoverySample worst(List<RecoverySample> samples) {
    RecoverySample worst = null;
    for (RecoverySample s : samples) {
      if (worst == null || ratio(s) > ratio(worst)) {
        worst = s;
      }
    }
    return worst;
  }

  private static double ratio(RecoverySample s) {
    return s.boundMillis() <= 0 ? Double.MAX_VALUE : (double) s.millis() / s.boundMillis();
  }
}
