package io.baton.workers.engine;

/**
 * SplitMix64, written out here rather than taken from the JDK so that weights and sampling stay the
 * same on every JVM version: the JDK documents its generators' quality, not their exact output.
 */
final class SplitMix64 {
  private static final long GOLDEN = 0x9E3779B97F4A7C15L;
  private long state;

  SplitMix64(long seed) {
    state = seed;
  }

  /** A generator for one sampling draw, derived only from the seed and the token index. */
  static SplitMix64 forDraw(long seed, long index) {
    return new SplitMix64(mix64(seed ^ mix64(index * GOLDEN + 0x632BE59BD9B4E019L)));
  }

  static long mix64(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  long nextLong() {
    state += GOLDEN;
    return mix64(state);
  }

  /** Uniform in [0, 1) with 53 random bits. */
  double nextDouble() {
    return (nextLong() >>> 11) * 0x1.0p-53;
  }

  /** Uniform in [-bound, bound). */
  float nextSymmetric(double bound) {
    return (float) ((nextDouble() * 2 - 1) * bound);
  }
}
