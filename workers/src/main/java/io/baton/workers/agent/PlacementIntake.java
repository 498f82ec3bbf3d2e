package io.baton.workers.agent;

import io.baton.actors.session.FailureCause;
import io.baton.actors.session.Session;
import io.baton.actors.session.SessionCommand;
import io.baton.actors.session.SessionState;
import io.baton.actors.worker.GpuStatus;
import io.baton.persistence.kv.KvBlockStore;
import io.baton.workers.agent.AgentCommand.Assign;
import io.baton.workers.agent.AgentCommand.Assigned;
import io.baton.workers.agent.AgentCommand.PlaceAnswered;
import io.baton.workers.agent.AgentCommand.Refused;
import io.baton.workers.agent.AgentCommand.RunnerStopped;
import io.baton.workers.agent.AgentCommand.StateFetched;
import io.baton.workers.agent.AgentCommand.UnansweredPlaceChecked;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/**
 * How an agent takes a placement on (DESIGN.md, "Workers"): it reserves room on the GPU, has the
 * session accept the placement, reads the state the session was placed in and only then starts a
 * {@link SessionRunner}, so a run never begins from a state the session has moved past. Runs in the
 * agent's actor, which owns the slots.
 */
final class PlacementIntake {
  /**
   * A Place is one journal write; this leaves it room on a slow Cassandra, and is shorter than the
   * placer's wait for this agent's answer (5 s), so the placer hears why.
   */
  private static final java.time.Duration PLACE_TIMEOUT = java.time.Duration.ofSeconds(3);
  /** Long enough for a paused or cut-off node to come back; the progress timeout covers longer. */
  private static final java.time.Duration UNANSWERED_PLACE_PATIENCE = java.time.Duration.ofSeconds(10);
  private final ActorContext<AgentCommand> context;
  private final AgentSettings settings;
  private final String nodeId;
  private final Map<String, GpuSlot> slots;
  private final KvBlockStore store;
  private final ResumeCostModel costModel;
  private final ClusterSharding sharding;
  private final ActorRef<RunnerEvent> runnerEvents;
  private final RunnerMetrics runnerMetrics;

  PlacementIntake(ActorContext<AgentCommand> context, AgentSettings settings, String nodeId, Map<String, GpuSlot> slots,
      KvBlockStore store, ResumeCostModel costModel, ClusterSharding sharding, ActorRef<RunnerEvent> runnerEvents,
      RunnerMetrics runnerMetrics) {
    this.context = context;
    this.settings = settings;
    this.nodeId = nodeId;
    this.slots = slots;
    this.store = store;
    this.costModel = costModel;
    this.sharding = sharding;
    this.runnerEvents = runnerEvents;
    this.runnerMetrics = runnerMetrics;
  }

  void assign(Assign a) {
    GpuSlot slot = slots.get(a.gpuId());
    String refusal = slot == null ? "no GPU " + a.gpuId() + " on " + nodeId : slot.refusal(settings.sessionsPerGpu());
    if (refusal != null) {
      a.replyTo().tell(new Refused(a.gpuId(), a.sessionId(), refusal, false));
      return;
    }
    slot.reserved++;
    context.ask(SessionCommand.Reply.class, session(a.sessionId()), PLACE_TIMEOUT,
        r -> new SessionCommand.Place(a.attempt(), a.gpuId(), a.method(), r),
        (reply, error) -> new PlaceAnswered(a, reply, error));
  }

  void placeAnswered(PlaceAnswered m) {
    Assign a = m.assign();
    GpuSlot slot = slots.get(a.gpuId());
    if (!(m.reply() instanceof SessionCommand.Accepted)) {
      slot.reserved--;
      String why = m.reply() instanceof SessionCommand.Rejected r ? r.rejection().toString() : String.valueOf(m.error());
      a.replyTo().tell(new Refused(a.gpuId(), a.sessionId(), "the session refused the placement: " + why,
          m.reply() instanceof SessionCommand.Rejected));
      if (m.error() != null) {
        checkUnansweredPlace(a);
      }
      return;
    }
    a.replyTo().tell(new Assigned(a.gpuId(), a.sessionId(), a.attempt()));
    // The slot stays reserved until the runner starts with the state the session was placed in.
    fetchState(a);
  }

  void stateFetched(StateFetched m) {
    Assign a = m.assign();
    GpuSlot slot = slots.get(a.gpuId());
    slot.reserved--;
    if (m.error() != null) {
      // The progress timeout re-places the session if this keeps happening; try once more now.
      context.getLog().warn("session {} attempt {}: state unreadable ({}), asking again", a.sessionId(),
          a.attempt(), m.error().toString());
      slot.reserved++;
      fetchState(a);
      return;
    }
    if (m.state().attempt() != a.attempt() || !m.state().status().isRunning() || slot.remediating
        || slot.status != GpuStatus.ACTIVE) {
      if (m.state().attempt() == a.attempt() && m.state().status().isRunning()) {
        failMigrated(a, a.gpuId() + " left rotation before the run began");
      }
      return;
    }
    startRunner(a, slot, m.state());
  }

  /**
   * A Place left unanswered (the session's node paused or cut off) may still be recorded once that
   * node answers again, leaving the session placed on a GPU that gave up on it until the progress
   * timeout. Its state is read once, patiently, through the same path as the Place, so it reflects
   * it; if the placement was recorded on this GPU, the attempt is failed so the session moves now.
   */
  private void checkUnansweredPlace(Assign a) {
    context.ask(SessionState.class, session(a.sessionId()), UNANSWERED_PLACE_PATIENCE, SessionCommand.GetState::new,
        (state, error) -> new UnansweredPlaceChecked(a, state, error));
  }

  void unansweredPlaceChecked(UnansweredPlaceChecked m) {
    Assign a = m.assign();
    SessionState s = m.state();
    if (s == null || s.attempt() != a.attempt() || !s.status().isRunning()
        || !a.gpuId().equals(s.currentAttempt().workerId())) {
      return; // not recorded, or the session moved on already; the progress timeout covers the rest
    }
    context.getLog().warn("session {} attempt {}: placed on {} after {} had given up waiting; failing it so it"
        + " moves now", a.sessionId(), a.attempt(), a.gpuId(), a.gpuId());
    failMigrated(a, "the placement on " + a.gpuId() + " was recorded after the GPU's agent had given up waiting"
        + " for it");
  }

  /** Fails an attempt this agent will not run, so the session is placed again now. */
  private void failMigrated(Assign a, String why) {
    session(a.sessionId()).tell(new SessionCommand.FailAttempt(a.attempt(),
        FailureCause.of(FailureCause.Kind.MIGRATED, why), context.getSystem().ignoreRef()));
  }

  private void fetchState(Assign a) {
    context.ask(SessionState.class, session(a.sessionId()), settings.runner().ackTimeout(),
        SessionCommand.GetState::new, (state, error) -> new StateFetched(a, state, error));
  }

  private void startRunner(Assign a, GpuSlot slot, SessionState state) {
    GpuSlot.Run old = slot.runs.remove(a.sessionId());
    if (old != null) {
      old.runner().tell(new SessionRunner.Stop());
    }
    ActorRef<SessionRunner.Command> runner = context.spawnAnonymous(
        // A null store turns off both checkpoints and restores in the runner.
        SessionRunner.create(session(a.sessionId()), state, a.attempt(), a.method(), slot.engine,
            settings.checkpoints() ? store : null, costModel, settings.runner(), runnerMetrics,
            runnerEvents),
        DispatcherSelector.fromConfig(WorkerAgent.RUNNER_DISPATCHER));
    context.watchWith(runner, new RunnerStopped(a.gpuId(), a.sessionId(), a.attempt()));
    slot.runs.put(a.sessionId(), new GpuSlot.Run(a.attempt(), runner));
    context.getLog().info("session {} attempt {} running on {} method={} durable={}", a.sessionId(),
        a.attempt(), a.gpuId(), a.method(), state.tokenCount());
  }

  private EntityRef<SessionCommand> session(String sessionId) {
    return sharding.entityRefFor(Session.ENTITY_KEY, sessionId);
  }
}
