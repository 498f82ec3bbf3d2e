package io.baton.workers.agent;

import io.baton.workers.engine.EngineCapabilities;
import io.baton.workers.engine.FaultHooks;
import io.baton.workers.engine.Generation;
import io.baton.workers.engine.GenerationRequest;
import io.baton.workers.engine.InferenceEngine;
import io.baton.workers.engine.ModelInfo;
import io.baton.workers.engine.Tokenizer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
  private final AtomicBoolean wrong = new AtomicBoolean();
  private final AtomicInteger started = new AtomicInteger();

  FlakyEngine(InferenceEngine engine) {
    this.engine = engine;
  }

  void failResets() {
    resetFails.set(true);
  }

  void stopAnswering() {
    answers.set(false);
  }

  /** From now on every generation computes from a changed prompt: a GPU that computes wrongly. */
  void answerWrongly() {
    wrong.set(true);
  }

  int started() {
    return started.get();
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
    started.incrementAndGet();
    if (wrong.get()) {
      List<Integer> prompt = new ArrayList<>(request.prompt());
      prompt.set(0, (prompt.get(0) + 1) % 90);
      return engine.start(GenerationRequest.fresh(prompt, request.sampling()));
    }
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
