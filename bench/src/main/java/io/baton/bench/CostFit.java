package io.baton.bench;

import io.baton.workers.agent.ResumeCostModel;
import io.baton.workers.engine.ModelInfo;
import java.time.Duration;
import java.util.List;

/**
 * Fits {@link ResumeCostModel}'s four costs to measured medians, so that recalibrating on another
 * machine is a copy of one printed line into {@code baton.workers.cost-model}. Both fits minimise
 * relative, not absolute, error: the choice matters near the crossover, where times are small, and
 * an absolute fit would be dominated by the largest contexts.
 */
final class CostFit {
  private CostFit() {}

  /** One context's medians: recompute of the whole context, restore of {@code blocks} plus the tail. */
  record Sample(ModelInfo model, int context, int blocks, double recomputeMs, double restoreMs) {}

  static String fit(List<Sample> samples) {
    // Recompute: T = base·s·n + base·f·s·Σp/width, with s = layers·width² / 65536 and p over [0, n).
    double[][] recompute = new double[samples.size()][];
    for (int i = 0; i < samples.size(); i++) {
      Sample x = samples.get(i);
      double s = ResumeCostModel.tokenScale(x.model());
      double positions = x.context() * (x.context() - 1.0) / 2;
      recompute[i] = new double[] {s * x.context(), s * positions / x.model().width(), x.recomputeMs()};
    }
    double[] ab = relativeLeastSquares(recompute);
    double base = Math.max(0, ab[0]);
    double factor = base > 0 ? Math.max(0, ab[1] / base) : 0;
    ResumeCostModel tail = new ResumeCostModel(Duration.ZERO, Duration.ZERO, nanos(base), factor, Duration.ZERO);

    // Restore: T - tail = fixed + perBlock·blocks·blockScale, the tail being the tokens
    // after the checkpoint (at least the last one), priced by the recompute fit.
    double[][] restore = new double[samples.size()][];
    for (int i = 0; i < samples.size(); i++) {
      Sample x = samples.get(i);
      int stored = x.blocks() * x.model().kvBlockTokens();
      double tailMs = tail.recompute(x.model(), Math.min(stored, x.context() - 1), x.context()).toNanos() / 1e6;
      double blocks = x.blocks() * ResumeCostModel.blockScale(x.model());
      restore[i] = new double[] {1, blocks, Math.max(1e-3, x.restoreMs() - tailMs)};
    }
    double[] cd = relativeLeastSquares(restore);
    return String.format("restore-fixed = %dus, restore-per-block = %dus, recompute-per-token-base = %dus,"
            + " recompute-context-factor = %.3f",
        Math.round(Math.max(0, cd[0]) * 1000), Math.round(Math.max(0, cd[1]) * 1000), Math.round(base * 1000),
        factor);
  }

  /**
   * Least squares of {@code y ≈ a·x1 + b·x2} over rows {x1, x2, y}, each row divided by y so that
   * every sample's relative error counts equally; solves the 2×2 normal equations.
   */
  static double[] relativeLeastSquares(double[][] rows) {
    double s11 = 0, s12 = 0, s22 = 0, t1 = 0, t2 = 0;
    for (double[] r : rows) {
      double x1 = r[0] / r[2];
      double x2 = r[1] / r[2];
      s11 += x1 * x1;
      s12 += x1 * x2;
      s22 += x2 * x2;
      t1 += x1;
      t2 += x2;
    }
    double det = s11 * s22 - s12 * s12;
    if (Math.abs(det) < 1e-12 * Math.max(1, s11 * s22)) {
      // Too few distinct samples for two unknowns: put everything on the first term.
      return new double[] {s11 > 0 ? t1 / s11 : 0, 0};
    }
    return new double[] {(t1 * s22 - t2 * s12) / det, (t2 * s11 - t1 * s12) / det};
  }

  private static Duration nanos(double ms) {
    return Duration.ofNanos(Math.round(ms * 1e6));
  }
}
