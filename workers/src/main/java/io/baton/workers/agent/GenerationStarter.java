package io.baton.workers.agent;

import io.baton.actors.session.ResumeMethod;
import io.baton.actors.session.SessionSpec;
import io.baton.actors.session.SessionState;
import io.baton.persistence.kv.KvBlockStore;
import io.baton.workers.engine.Generation;
import io.baton.workers.engine.GenerationRequest;
import io.baton.workers.engine.InferenceEngine;
import io.baton.workers.engine.SamplingParams;
import io.baton.workers.engine.XidException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds one attempt's generation: fresh, recomputed, or restored from KV checkpoints. The
 * {@link ResumePlanner} reads the store off the actor and its plan comes back as a
 * {@link SessionRunner.Start}; the engine is then started from it on the actor.
 */
final class GenerationStarter {
  // The engine's answer may come on any thread, where the actor's own logger must not be used.
  private static final Logger LOG = LoggerFactory.getLogger(SessionRunner.class);

  private final SessionLink link;
  private final InferenceEngine engine;
  private final int maxTokens;

  GenerationStarter(SessionLink link, InferenceEngine engine, int maxTokens) {
    this.link = link;
    this.engine = engine;
    this.maxTokens = maxTokens;
  }

  /**
   * Plans how to resume {@code state}; the answer arrives as a Start message.
   *
   * @param store null: never restore
   * @param costModel null: a fresh session's prompt is never restored
   */
  void plan(SessionState state, ResumeMethod method, KvBlockStore store, ResumeCostModel costModel) {
    SessionSpec spec = state.spec();
    List<Integer> resumed = List.copyOf(state.tokens());
    link.context().pipeToSelf(
        new ResumePlanner(engine, store, costModel).plan(spec, resumed, List.copyOf(state.checkpointBlocks()), method),
        // The planner never fails; a defect in it must still not leave the attempt waiting.
        (plan, error) -> plan != null ? new SessionRunner.Start(plan.request(), plan.how())
            : new SessionRunner.Start(
                GenerationRequest.recompute(spec.promptTokens(), resumed, SamplingParams.of(spec.sampling())),
                "recompute (planner failed: " + error + ")"));
  }

  /**
   * Starts the engine as planned. An engine in this process answers at once (a completed stage);
   * a remote one when its server has taken the request. A failure is the engine's, for the runner
   * to classify.
   */
  CompletionStage<Generation> start(SessionRunner.Start m) {
    if (!"fresh".equals(m.how())) {
      LOG.info("session {} attempt {}: {}", link.sessionId(), link.attempt(), m.how());
    }
    int maxNewTokens = Math.max(1, maxTokens - m.request().generated().size());
    return engine.startAsync(m.request(), maxNewTokens).handle((generation, error) -> {
      if (error == null) {
        Generation.PrefillStats prefill = generation.prefill();
        LOG.debug("session {} attempt {}: prefill of {} tokens: {} restored, {} cached, {} computed",
            link.sessionId(), link.attempt(), prefill.contextTokens(), prefill.restoredTokens(),
            prefill.cachedTokens(), prefill.computedTokens());
        return CompletableFuture.completedFuture(generation);
      }
      Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
      if (m.request().restored().isEmpty() || cause instanceof XidException) {
        return CompletableFuture.<Generation>failedFuture(cause);
      }
      // Blocks that do not fit this engine are a lost checkpoint, not a failed attempt.
      LOG.warn("session {} attempt {}: restore refused ({}), recomputing", link.sessionId(), link.attempt(),
          cause.toString());
      return start(new SessionRunner.Start(GenerationRequest.recompute(
          m.request().prompt(), m.request().generated(), m.request().sampling()), "recompute (restore refused)"));
    }).thenCompose(stage -> stage);
  }
}
