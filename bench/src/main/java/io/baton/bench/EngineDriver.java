package io.baton.bench;

import com.sun.management.OperatingSystemMXBean;
import io.baton.workers.engine.Generation;
import io.baton.workers.engine.GenerationRequest;
import io.baton.workers.engine.InferenceEngine;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * Drives generations the way a runner does, without blocking a thread: start, wait out the
 * simulated prefill, then step and wait out each simulated step (an in-process engine returns its
 * simulated durations; a remote one paces itself and returns none). Compute of in-process engines
 * runs on a pool as wide as the machine, as the node's runner dispatcher would.
 */
final class EngineDriver {
  record Result(List<Double> ttftMs, List<Double> itlMs, double cpuMicrosPerToken, int failed) {
    double ttftP50() {
      return percentile(ttftMs, 0.5);
    }

    double ttftP99() {
      return percentile(ttftMs, 0.99);
    }

    double itlMean() {
      return itlMs.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    private static double percentile(List<Double> values, double q) {
      if (values.isEmpty()) {
        return Double.NaN;
      }
      List<Double> sorted = new ArrayList<>(values);
      Collections.sort(sorted);
      return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(q * sorted.size()) - 1));
    }
  }

  private final int maxTokens;
  private final ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor();
  private final ExecutorService compute = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors());

  EngineDriver(int maxTokens) {
    this.maxTokens = maxTokens;
  }

  Result run(List<InferenceEngine> engines, int streams, IntFunction<GenerationRequest> requests) {
    long cpuStart = cpuNanos();
    List<CompletableFuture<long[]>> all = new ArrayList<>();
    for (int i = 0; i < streams; i++) {
      InferenceEngine engine = engines.get(i % engines.size());
      GenerationRequest request = requests.apply(i);
      long start = System.nanoTime();
      long[] times = new long[maxTokens + 1];
      times[0] = start;
      all.add(CompletableFuture.supplyAsync(() -> engine.startAsync(request, maxTokens), compute)
          .thenCompose(s -> s)
          .thenCompose(g -> after(g.prefill().simulated()).thenCompose(x -> steps(g, times, 1)))
          .toCompletableFuture());
    }
    List<Double> ttft = new ArrayList<>();
    List<Double> itl = new ArrayList<>();
    int failed = 0;
    for (CompletableFuture<long[]> f : all) {
      try {
        long[] t = f.get(5, TimeUnit.MINUTES);
        ttft.add((t[1] - t[0]) / 1e6);
        for (int k = 2; k <= maxTokens; k++) {
          itl.add((t[k] - t[k - 1]) / 1e6);
        }
      } catch (Exception e) {
        failed++;
      }
    }
    double cpuPerToken = (cpuNanos() - cpuStart) / 1e3 / Math.max(1, (streams - failed) * (long) maxTokens);
    return new Result(ttft, itl, cpuPerToken, failed);
  }

  private CompletionStage<long[]> steps(Generation g, long[] times, int k) {
    if (k > maxTokens) {
      g.close();
      return CompletableFuture.completedFuture(times);
    }
    return CompletableFuture.supplyAsync(g::stepAsync, compute).thenCompose(s -> s).thenCompose(step -> {
      times[k] = System.nanoTime();
      return after(step.simulated()).thenCompose(x -> steps(g, times, k + 1));
    });
  }

  private CompletionStage<Void> after(Duration delay) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    clock.schedule(() -> done.complete(null), delay.toNanos(), TimeUnit.NANOSECONDS);
    return done;
  }

  private static long cpuNanos() {
    return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }
}
