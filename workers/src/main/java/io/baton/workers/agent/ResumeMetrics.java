package io.baton.workers.agent;

import io.baton.workers.engine.Generation;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * What each resumed attempt (a migration) cost its new GPU, per kind of context token: restored
 * from a KV checkpoint, found in the GPU's memory, or recomputed. `./baton bench recovery` reads
 * these to compare migrations with and without KV checkpoints.
 */
final class ResumeMetrics {
  private final DistributionSummary restored;
  private final DistributionSummary cached;
  private final DistributionSummary computed;

  ResumeMetrics(MeterRegistry registry) {
    restored = summary(registry, "restored");
    cached = summary(registry, "cached");
    computed = summary(registry, "computed");
  }

  /** One description for all kinds: Prometheus wants one help text per metric name. */
  private static DistributionSummary summary(MeterRegistry registry, String kind) {
    return DistributionSummary.builder("baton.resume.tokens")
        .description("Context tokens of each resumed attempt (a migration): restored from the KV block store,"
            + " cached in the new GPU's memory, or computed by prefill")
        .baseUnit("tokens")
        .tag("kind", kind)
        .register(registry);
  }

  void record(Generation.PrefillStats stats) {
    restored.record(stats.restoredTokens());
    cached.record(stats.cachedTokens());
    computed.record(stats.computedTokens());
  }
}
