package io.baton.workers.agent;

import io.baton.workers.engine.EngineCapabilities;
import io.baton.workers.engine.FaultHooks;
import io.baton.workers.engine.Generation;
import io.baton.workers.engine.GenerationRequest;
import io.baton.workers.engine.InferenceEngine;
import io.baton.workers.engine.ModelInfo;
import io.baton.workers.engine.Tokenizer;
import java.time.Duration;
import java.util.Collection;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A reference engine whose reset and liveness a test controls, as an engine server's can fail: the
 * reset command exits non-zero, the process stops answering. Generation is the real engine's.
 */
final class FlakyEngine implements InferenceEngine {
  private final InferenceEngine engine;
  private final AtomicBoolean resetFails = new AtomicBoolean();
  private final AtomicBoolean answers = new AtomicBoolean(true);
  private final AtomicInteger resets = new AtomicInteger();

  FlakyEngine(InferenceEngine engine) {
    this.engine = engine;
  }

  void failResets() {
    resetFails.set(true);
  }

  void stopAnswering() {
    answers.set(false);
  }

  int resets() {
    return resets.get();
  }

  @Override
  public ModelInfo model() {
    return engine.model();
  }

  @Override
  public EngineCapabilities capabilities() {
    return engine.capabilities();
  }

  @Override
  public Tokenizer tokenizer() {
    return engine.tokenizer();
  }

  @Override
  public Generation start(GenerationRequest request) {
    return engine.start(request);
  }

  @Override
  public Collection<String> heldBlocks() {
    return engine.heldBlocks();
  }

  @Override
  public void reset() {
    resets.incrementAndGet();
    if (resetFails.get()) {
      throw new IllegalStateException("reset command exited with status 1");
    }
    engine.reset();
  }

  @Override
  public CompletionStage<Boolean> healthy(Duration timeout) {
    return CompletableFuture.completedFuture(answers.get());
  }

  @Override
  public Optional<FaultHooks> faults() {
    return engine.faults();
  }
}
