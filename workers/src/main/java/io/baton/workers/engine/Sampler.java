package io.baton.workers.engine;

import java.util.Arrays;

/**
 * Picks a token from logits. Deterministic by construction: greedy breaks ties by the lowest id, the
 * nucleus is ordered by probability then id, and the one random number comes from a generator
 * derived from (seed, index) alone, so no state carries over from earlier draws.
 */
final class Sampler {
  private Sampler() {}

  static int sample(float[] logits, SamplingParams params, int index) {
    if (params.isGreedy()) {
      return argmax(logits);
    }
    int vocab = logits.length;
    float max = logits[argmax(logits)];
    double[] weights = new double[vocab];
    double total = 0;
    for (int i = 0; i < vocab; i++) {
      // StrictMath: Math.exp may be a platform intrinsic whose last bit differs between machines.
      weights[i] = StrictMath.exp((logits[i] - max) / params.temperature());
      total += weights[i];
    }
    Integer[] order = new Integer[vocab];
    for (int i = 0; i < vocab; i++) {
      order[i] = i;
    }
    // Object sorts are stable, so equal weights stay in id order.
    Arrays.sort(order, (a, b) -> Double.compare(weights[b], weights[a]));
    double threshold = params.topP() * total;
    double kept = 0;
    int size = 0;
    while (size < vocab) {
      kept += weights[order[size++]];
      if (kept >= threshold) {
        break;
      }
    }
    double u = SplitMix64.forDraw(params.seed(), index).nextDouble() * kept;
    double acc = 0;
    for (int j = 0; j < size; j++) {
      acc += weights[order[j]];
      if (u < acc) {
        return order[j];
      }
    }
    return order[size - 1];
  }

  static int argmax(float[] logits) {
    int best = 0;
    for (int i = 1; i < logits.length; i++) {
      if (logits[i] > logits[best]) {
        best = i;
      }
    }
    return best;
  }
}
