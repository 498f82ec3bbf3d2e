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

/**
 * Builds one attempt's generation: fresh, recomputed, or restored from KV checkpoints. The
 * {@link ResumePlanner} reads the store off the actor and its plan comes back as a
 * {@link SessionRunner.Start}; the engine is then started from it on the actor.
 */
final class GenerationStarter {
  private final SessionLink link;
  private final InferenceEngine engine;

  GenerationStarter(SessionLink link, InferenceEngine engine) {
    this.link = link;
    this.engine = engine;
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
   * Starts the engine as planned.
   *
   * @throws RuntimeException the engine's failure, for the runner to classify
   */
  Generation start(SessionRunner.Start m) {
    if (!"fresh".equals(m.how())) {
      link.log().info("session {} attempt {}: {}", link.sessionId(), link.attempt(), m.how());
    }
    Generation generation;
    try {
      generation = engine.start(m.request());
    } catch (RuntimeException e) {
      if (m.request().restored().isEmpty() || e instanceof XidException) {
        throw e;
      }
      // Blocks that do not fit this engine are a lost checkpoint, not a failed attempt.
      link.log().warn("session {} attempt {}: restore refused ({}), recomputing", link.sessionId(), link.attempt(),
          e.toString());
      return start(new SessionRunner.Start(GenerationRequest.recompute(
          m.request().prompt(), m.request().generated(), m.request().sampling()), "recompute (restore refused)"));
    }
    Generation.PrefillStats prefill = generation.prefill();
    link.log().debug("session {} attempt {}: prefill of {} tokens: {} restored, {} cached, {} computed",
        link.sessionId(), link.attempt(), prefill.contextTokens(), prefill.restoredTokens(), prefill.cachedTokens(),
        prefill.computedTokens());
    return generation;
  }
}
