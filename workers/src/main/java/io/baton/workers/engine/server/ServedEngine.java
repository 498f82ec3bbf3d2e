package io.baton.workers.engine.server;

import io.baton.workers.engine.Generation;
import io.baton.workers.engine.InferenceEngine;
import io.baton.workers.engine.XidException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The reference engine as a server process holds it: generations computed on a compute pool (the
 * "GPU"), paced by the simulated timing on a microsecond clock, and a hang switch for tests. A hung
 * engine keeps accepting connections but produces nothing, health checks included, which is how a
 * wedged CUDA context looks from outside.
 */
final class ServedEngine {
  private final InferenceEngine engine;
  private final Executor compute;
  private final ScheduledExecutorService clock;
  private final AtomicReference<CompletableFuture<Void>> running =
      new AtomicReference<>(CompletableFuture.completedFuture(null));

  ServedEngine(InferenceEngine engine, Executor compute, ScheduledExecutorService clock) {
    this.engine = engine;
    this.compute = compute;
    this.clock = clock;
  }

  InferenceEngine engine() {
    return engine;
  }

  /** Completes at once, or when a hang ends. */
  CompletionStage<Void> unhung() {
    return running.get();
  }

  boolean hung() {
    return !running.get().isDone();
  }

  /** Stops every generation and health answer until {@link #resume()}. */
  void hang() {
    running.getAndUpdate(f -> f.isDone() ? new CompletableFuture<>() : f);
  }

  void resume() {
    running.get().complete(null);
  }

  /** Starts the generation (prefill) and waits out its simulated time. */
  CompletionStage<Generation> start(CompletionCall call) {
    return unhung().thenCompose(u -> CompletableFuture.supplyAsync(() -> engine.start(call.generationRequest()), compute))
        .thenCompose(g -> after(g.prefill().simulated()).thenApply(x -> g));
  }

  /**
   * One decode step, after waiting out the previous step's simulated time ({@code owed}): a token
   * leaves as soon as it is computed, as the in-process runner paces, so both measure alike.
   */
  CompletionStage<Generation.Step> step(Generation generation, Duration owed) {
    return after(owed).thenCompose(x -> unhung())
        .thenCompose(u -> CompletableFuture.supplyAsync(generation::step, compute));
  }

  private CompletionStage<Void> after(Duration delay) {
    if (delay.isZero() || delay.isNegative()) {
      return CompletableFuture.completedFuture(null);
    }
    CompletableFuture<Void> done = new CompletableFuture<>();
    clock.schedule(() -> done.complete(null), delay.toNanos(), TimeUnit.NANOSECONDS);
    return done;
  }

  /** Whether a step failed because the simulated GPU did: the stream then breaks off. */
  static boolean gpuFault(Throwable t) {
    Throwable cause = t;
    while (cause.getCause() != null && !(cause instanceof XidException)) {
      cause = cause.getCause();
    }
    return cause instanceof XidException;
  }
}
