package io.baton.bench;

import io.baton.actors.session.ResumeMethod;
import io.baton.workers.agent.ResumeCostModel;
import io.baton.workers.engine.BlockHash;
import io.baton.workers.engine.ModelInfo;
import java.time.Duration;
import java.util.List;

/** The Markdown table of {@code ./baton bench kv}, the switch points, and the fitted costs. */
final class KvReport {
  private KvReport() {}

  static void print(List<KvBench.Point> points, ResumeCostModel real, ResumeCostModel configured) {
    System.out.println("| model | context | recompute ms (median / p90) | restore ms (median / p90)"
        + " | restore / recompute | model estimate ms (recompute / restore) | cost-model choice"
        + " | faster one? (tie: within 10%) |");
    System.out.println("|---|---:|---:|---:|---:|---:|---|---|");
    for (KvBench.Point p : points) {
      ModelInfo info = p.spec().info();
      double recompute = median(p.recomputeMs());
      double restore = median(p.restoreMs());
      int stored = p.hashes().size() * BlockHash.BLOCK_TOKENS;
      ResumeMethod choice = real.choose(info, p.context(), stored, 0);
      boolean restoreFaster = restore < recompute;
      boolean right = (choice == ResumeMethod.KV_RESTORE) == restoreFaster;
      // Within 10% either choice is as good, and the box's noise is larger than that.
      String verdict = Math.abs(restore / recompute - 1) < 0.1 ? "tie" : right ? "yes" : "**no**";
      double estRecompute = millis(real.recompute(info, 0, p.context()));
      double estRestore = millis(real.restore(info, p.hashes().size())
          .plus(real.recompute(info, Math.min(stored, p.context() - 1), p.context())));
      System.out.printf("| %s | %d | %.1f / %.1f | %.1f / %.1f | %.2f | %.1f / %.1f | %s | %s |%n",
          info.id(), p.context(), recompute, p90(p.recomputeMs()), restore, p90(p.restoreMs()),
          restore / recompute, estRecompute, estRestore, choice, verdict);
    }
    System.out.println();
    for (String id : points.stream().map(p -> p.spec().id()).distinct().toList()) {
      List<KvBench.Point> mine = points.stream().filter(p -> p.spec().id().equals(id)).toList();
      // The smallest listed context from which restore wins at every larger one too.
      Integer crossover = null;
      for (int i = mine.size() - 1; i >= 0 && restoreWins(mine.get(i)); i--) {
        crossover = mine.get(i).context();
      }
      ModelInfo info = mine.get(0).spec().info();
      System.out.printf("- %s: restore measured faster from %s; cost model switches at %d tokens"
          + " (real compute), at %d tokens with the configured simulated prefill of %s/token%n",
          id, crossover == null ? "no listed context" : crossover + " tokens", real.crossoverTokens(info),
          configured.crossoverTokens(info), configured.simulatedPrefillPerToken().toNanos() / 1000 + "us");
    }
    System.out.println();
    System.out.println("Fitted to these measurements: " + CostFit.fit(points.stream()
        .map(p -> new CostFit.Sample(p.spec().info(), p.context(), p.hashes().size(),
            median(p.recomputeMs()), median(p.restoreMs())))
        .toList()));
  }

  private static boolean restoreWins(KvBench.Point p) {
    return median(p.restoreMs()) < median(p.recomputeMs());
  }

  private static double millis(Duration d) {
    return d.toNanos() / 1e6;
  }

  private static double median(List<Double> ms) {
    List<Double> s = ms.stream().sorted().toList();
    return s.get(s.size() / 2);
  }

  private static double p90(List<Double> ms) {
    List<Double> s = ms.stream().sorted().toList();
    return s.get((int) Math.ceil(0.9 * s.size()) - 1);
  }
}
