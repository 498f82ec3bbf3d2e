package io.baton.bench;

import io.baton.actors.session.ResumeMethod;
import io.baton.workers.engine.GpuTiming;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/** The failover benchmark's Markdown table: one row per prompt length and resume method used. */
final class FailoverReport {
  private FailoverReport() {}

  static void print(List<FailoverBench.Sample> samples, GpuTiming timing) {
    Map<String, List<FailoverBench.Sample>> groups = new LinkedHashMap<>();
    for (FailoverBench.Sample s : samples) {
      groups.computeIfAbsent(s.promptTokens() + "|" + s.method(), k -> new ArrayList<>()).add(s);
    }
    System.out.println("| prompt tokens | resume method | faults | failover ms p50 / p99 / max"
        + " | simulated compute ms (mean) | excluding simulated compute ms p50 / p99 / max | decode step ms |");
    System.out.println("|---:|---|---:|---:|---:|---:|---:|");
    for (List<FailoverBench.Sample> g : groups.values()) {
      FailoverBench.Sample first = g.get(0);
      System.out.printf("| %d | %s | %d | %s | %.1f | %s | %.0f |%n", first.promptTokens(), first.method(), g.size(),
          triple(g, FailoverBench.Sample::measured), mean(g, FailoverBench.Sample::simulated),
          triple(g, s -> s.measured() - s.simulated()), FailoverBench.millis(timing.decodePerToken()));
    }
    // Each part is the gap between two journaled instants (SessionJournal), p50 / p99 of the gaps;
    // the replays are the same work alone on the idle node after the phase (FailoverReplay).
    System.out.println();
    System.out.println("| prompt tokens | resume method | injection → attempt failed | → placed again"
        + " | → first chunk handled | of which KV fetch, replayed | of which engine start + step, replayed"
        + " | → subscriber | tokens restored / recomputed (mean) |");
    System.out.println("|---:|---|---:|---:|---:|---:|---:|---:|---:|");
    for (List<FailoverBench.Sample> g : groups.values()) {
      FailoverBench.Sample first = g.get(0);
      System.out.printf("| %d | %s | %s | %s | %s | %s | %s | %s | %.0f / %.0f |%n", first.promptTokens(),
          first.method(), pair(g, FailoverBench.Sample::failed), pair(g, s -> s.placed() - s.failed()),
          pair(g, s -> s.appended() - s.placed()), pair(g, s -> s.replay().fetch()),
          pair(g, s -> s.replay().start()), pair(g, s -> s.measured() - s.appended()),
          mean(g, s -> s.restoredTokens()), mean(g, s -> s.computedTokens()));
    }
    System.out.println();
    System.out.println("(ms, p50 / p99; p99 is the nearest rank, so the maximum below 100 faults)");
    for (List<FailoverBench.Sample> g : groups.values()) {
      if (g.get(0).method() == ResumeMethod.KV_RESTORE) {
        double p99 = percentile(g, s -> s.measured() - s.simulated(), 0.99);
        System.err.printf("bench: %d-token prompts, KV_RESTORE p99 excluding simulated compute %.0f ms: %s%n",
            g.get(0).promptTokens(), p99, p99 <= 500 ? "within the 500 ms target" : "MISSES the 500 ms target");
      }
    }
  }

  private static String triple(List<FailoverBench.Sample> g, ToDoubleFunction<FailoverBench.Sample> f) {
    return String.format("%.0f / %.0f / %.0f", percentile(g, f, 0.5), percentile(g, f, 0.99), percentile(g, f, 1));
  }

  private static String pair(List<FailoverBench.Sample> g, ToDoubleFunction<FailoverBench.Sample> f) {
    return String.format("%.0f / %.0f", percentile(g, f, 0.5), percentile(g, f, 0.99));
  }

  /** Nearest rank: with fewer than 100 samples, p99 is the maximum. */
  static double percentile(List<FailoverBench.Sample> g, ToDoubleFunction<FailoverBench.Sample> f, double p) {
    double[] v = g.stream().mapToDouble(f).sorted().toArray();
    int rank = (int) Math.ceil(p * v.length);
    return v[Math.max(0, Math.min(v.length, rank) - 1)];
  }

  private static double mean(List<FailoverBench.Sample> g, ToDoubleFunction<FailoverBench.Sample> f) {
    return g.stream().mapToDouble(f).average().orElse(0);
  }
}
