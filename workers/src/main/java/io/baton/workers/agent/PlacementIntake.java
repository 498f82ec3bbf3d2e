package io.baton.workers.agent;

import io.baton.actors.session.Grant;
import io.baton.actors.session.SessionCommand;
import io.baton.persistence.kv.KvBlockStore;
import io.baton.workers.agent.AgentCommand.RunnerStopped;
import java.util.Map;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * How an agent takes a grant on (DESIGN.md, "Attempts"): the session has already recorded the
 * placement and sent everything the run needs, so the agent either starts a {@link SessionRunner}
 * at once or refuses, and the session tries its next candidate. It never fails an attempt itself.
 * Runs in the agent's actor, which owns the slots.
 */
final class PlacementIntake {
  private final ActorContext<AgentCommand> context;
  private final AgentSettings settings;
  private final String nodeId;
  private final Map<String, GpuSlot> slots;
  private final KvBlockStore store;
  private final ResumeCostModel costModel;
  private final Function<String, RecipientRef<SessionCommand>> sessions;
  private final ActorRef<RunnerEvent> runnerEvents;
  private final RunnerMetrics runnerMetrics;

  PlacementIntake(ActorContext<AgentCommand> context, AgentSettings settings, String nodeId, Map<String, GpuSlot> slots,
      KvBlockStore store, ResumeCostModel costModel, Function<String, RecipientRef<SessionCommand>> sessions,
      ActorRef<RunnerEvent> runnerEvents, RunnerMetrics runnerMetrics) {
    this.context = context;
    this.settings = settings;
    this.nodeId = nodeId;
    this.slots = slots;
    this.store = store;
    this.costModel = costModel;
    this.sessions = sessions;
    this.runnerEvents = runnerEvents;
    this.runnerMetrics = runnerMetrics;
  }

  void granted(Grant g) {
    GpuSlot slot = slots.get(g.gpuId());
    GpuSlot.Run current = slot == null ? null : slot.runs.get(g.sessionId());
    if (current != null && current.attempt() >= g.attempt()) {
      return; // a repeated grant: the run is under way and its heartbeats speak for it
    }
    String refusal = slot == null ? "no GPU " + g.gpuId() + " on " + nodeId : slot.refusal(settings.sessionsPerGpu());
    if (refusal != null) {
      context.getLog().debug("session {} attempt {}: grant refused: {}", g.sessionId(), g.attempt(), refusal);
      session(g.sessionId()).tell(new SessionCommand.GrantRefused(g.attempt(), g.gpuId(), refusal));
      return;
    }
    startRunner(g, slot);
  }

  /** The attempt's entity restarted elsewhere: its runner, if still this attempt's, resends now. */
  void moved(AgentCommand.SessionMoved m) {
    GpuSlot slot = slots.get(m.gpuId());
    GpuSlot.Run run = slot == null ? null : slot.runs.get(m.sessionId());
    if (run != null && run.attempt() == m.attempt()) {
      run.runner().tell(new SessionRunner.SessionMoved());
    }
  }

  private void startRunner(Grant g, GpuSlot slot) {
    GpuSlot.Run old = slot.runs.remove(g.sessionId());
    if (old != null) {
      old.runner().tell(new SessionRunner.Stop());
    }
    ActorRef<SessionRunner.Command> runner = context.spawnAnonymous(
        // A null store turns off both checkpoints and restores in the runner.
        SessionRunner.create(session(g.sessionId()), g.state(), g.attempt(), g.method(), slot.engine,
            settings.checkpoints() ? store : null, costModel, settings.runner(), runnerMetrics,
            runnerEvents),
        DispatcherSelector.fromConfig(WorkerAgent.RUNNER_DISPATCHER));
    context.watchWith(runner, new RunnerStopped(g.gpuId(), g.sessionId(), g.attempt()));
    slot.runs.put(g.sessionId(), new GpuSlot.Run(g.attempt(), runner));
    context.getLog().info("session {} attempt {} running on {} method={} durable={}", g.sessionId(),
        g.attempt(), g.gpuId(), g.method(), g.state().tokenCount());
  }

  private RecipientRef<SessionCommand> session(String sessionId) {
    return sessions.apply(sessionId);
  }
}
