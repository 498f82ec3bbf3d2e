package io.baton.workers.engine;

import java.time.Duration;

/**
 * How long work takes on the simulated GPU. The engine never sleeps: it returns the simulated
 * duration with each result, and the worker agent schedules the token's delivery that much later.
 * That keeps a thread free while a "kernel runs", lets tests use zero, and lets one JVM simulate
 * many GPUs without a thread per GPU.
 *
 * @param prefillPerToken cost of each prompt token actually computed (reused blocks are free)
 * @param decodePerToken cost of each decode step
 */
public record GpuTiming(Duration prefillPerToken, Duration decodePerToken) {
  public static final GpuTiming NONE = new GpuTiming(Duration.ZERO, Duration.ZERO);

  public GpuTiming {
    if (prefillPerToken.isNegative() || decodePerToken.isNegative()) {
      throw new IllegalArgumentException("timings must not be negative");
    }
  }

  public Duration prefill(int computedTokens, double slowdown) {
    return scaled(prefillPerToken.multipliedBy(computedTokens), slowdown);
  }

  public Duration decode(double slowdown) {
    return scaled(decodePerToken, slowdown);
  }

  private static Duration scaled(Duration d, double factor) {
    return factor == 1 ? d : Duration.ofNanos(Math.round(d.toNanos() * factor));
  }
}
