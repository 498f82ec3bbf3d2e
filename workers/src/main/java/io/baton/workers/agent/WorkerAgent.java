package io.baton.workers.agent;

import io.baton.actors.session.FailureCause;
import io.baton.actors.session.Grant;
import io.baton.actors.session.Session;
import io.baton.actors.session.SessionCommand;
import io.baton.actors.worker.GpuSpec;
import io.baton.actors.worker.GpuStatus;
import io.baton.actors.worker.GpuWorker;
import io.baton.actors.worker.GpuWorkerCommand;
import io.baton.actors.worker.GpuWorkerState;
import io.baton.actors.worker.Pool;
import io.baton.persistence.kv.KvBlockStore;
import io.baton.workers.agent.AgentCommand.*;
import io.baton.workers.engine.InferenceEngine;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/**
 * The worker agent: one per node, for the node's GPUs (DESIGN.md, "Workers"). It registers them as
 * GpuWorker entities, accepts placements while a GPU has room, runs each attempt in a supervised
 * {@link SessionRunner}, reports load and held KV blocks to every placer, and answers XIDs by their
 * class ({@link GpuCare}). A runner that crashes fails its attempt; it never takes the agent down.
 */
public final class WorkerAgent extends AbstractBehavior<AgentCommand> {

  /** A GPU this agent drives, with the pool it starts in when it is new to the fleet. */
  public record AgentGpu(GpuSpec spec, Pool pool, InferenceEngine engine) {
    public String gpuId() {
      return workerId(spec);
    }
  }

  public static final String RUNNER_DISPATCHER = "baton-runner-dispatcher";

  private final AgentSettings settings;
  private final String nodeId;
  private final Map<String, GpuSlot> slots = new LinkedHashMap<>();
  private final ActorRef<Topic.Command<GpuReport>> reports;
  private final ClusterSharding sharding;
  private final GpuCare care;
  private final ResumeMetrics resumes;
  private final PlacementIntake intake;
  private final ActorRef<Grant> grants;
  private final long ticksPerHeartbeat;
  /** A GPU's status as its entity gave it at the last heartbeat, when it differed from the agent's. */
  private final Map<String, GpuStatus> mismatches = new HashMap<>();
  private long ticks;
  /** The host's passive XID signal as its kernel-log watcher last reported it; off on a node without one. */
  private XidSignal xidSignal = XidSignal.OFF;

  private WorkerAgent(
      ActorContext<AgentCommand> context,
      TimerScheduler<AgentCommand> timers,
      AgentSettings settings,
      String nodeId,
      List<AgentGpu> gpus,
      KvBlockStore store,
      ResumeCostModel costModel,
      ActorRef<Topic.Command<GpuWorkerState>> gpuStates,
      ActorRef<Topic.Command<GpuReport>> reports,
      MeterRegistry metrics) {
    super(context);
    this.settings = settings;
    this.nodeId = nodeId;
    this.reports = reports;
    this.sharding = ClusterSharding.get(context.getSystem());
    ActorRef<RunnerEvent> runnerEvents = context.messageAdapter(RunnerEvent.class, RunnerReported::new);
    for (AgentGpu gpu : gpus) {
      slots.put(gpu.gpuId(), new GpuSlot(gpu.gpuId(), gpu.spec(), gpu.pool(), gpu.engine()));
    }
    this.resumes = new ResumeMetrics(metrics);
    this.care = new GpuCare(context, timers, settings, "agent@" + nodeId, slots, sharding, metrics);
    this.intake = new PlacementIntake(context, settings, nodeId, slots, store, costModel, this::session, runnerEvents,
        new RunnerMetrics(metrics));
    // Grants come from session entities anywhere in the cluster, typed as the actors module knows them.
    this.grants = context.spawn(Behaviors.<Grant>receiveMessage(g -> {
      context.getSelf().tell(new Granted(g));
      return Behaviors.same();
    }), "grants");
    this.ticksPerHeartbeat = Math.max(1, settings.heartbeatInterval().toMillis() / settings.reportInterval().toMillis());
    gpuStates.tell(Topic.subscribe(context.messageAdapter(GpuWorkerState.class, GpuStateHeard::new)));
    slots.values().forEach(this::register);
    timers.startTimerWithFixedDelay(new Tick(), settings.reportInterval());
  }

  /**
   * @param store the KV block store for checkpoints and restores; null turns both off
   * @param costModel whether a fresh session's prompt blocks are restored from the store
   * @param gpuStates the topic on which GpuWorker entities announce their state
   * @param reports the topic on which the agent publishes its GPUs' {@link GpuReport}s
   * @param metrics where the agent counts XIDs (baton.xids, by code and class) and its runners time the
   *     session's acknowledgements (baton.journal.append, baton.journal.checkpoint)
   */
  public static Behavior<AgentCommand> create(
      AgentSettings settings, String nodeId, List<AgentGpu> gpus, KvBlockStore store, ResumeCostModel costModel,
      ActorRef<Topic.Command<GpuWorkerState>> gpuStates, ActorRef<Topic.Command<GpuReport>> reports,
      MeterRegistry metrics) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
        new WorkerAgent(ctx, timers, settings, nodeId, gpus, store, costModel, gpuStates, reports, metrics)));
  }

  /** The GpuWorker entity id of a GPU: unique in the fleet because host ids are. */
  public static String workerId(GpuSpec gpu) {
    return workerId(gpu.hostId(), gpu.gpuIndex());
  }

  public static String workerId(String hostId, int gpuIndex) {
    return hostId + "-gpu" + gpuIndex;
  }

  @Override
  public Receive<AgentCommand> createReceive() {
    return newReceiveBuilder()
        .onMessage(Granted.class, m -> then(() -> intake.granted(m.grant())))
        .onMessage(RunnerReported.class, this::onRunnerReported)
        .onMessage(RunnerStopped.class, this::onRunnerStopped)
        .onMessage(Registered.class, this::onRegistered)
        .onMessage(Tick.class, this::onTick)
        .onMessage(GetStatus.class, this::onGetStatus)
        .onMessage(SessionMoved.class, m -> then(() -> intake.moved(m)))
        .onMessage(GpuStateHeard.class, m -> then(() -> care.heard(m.state())))
        .onMessage(GpuStateFetched.class, this::onStateFetched)
        .onMessage(ObserveXid.class, m -> then(() -> care.observed(m.gpuId(), m.code(), m.detail())))
        .onMessage(HostObserved.class, this::onHostObserved)
        .onMessage(InjectFault.class, m -> then(() -> care.inject(m.gpuId(), m.fault())))
        .onMessage(StatusAnswered.class, m -> then(() -> care.answered(m)))
        .onMessage(ResetDone.class, m -> then(() -> care.resetDone(m.gpuId())))
        .onMessage(AgentCommand.EngineProbed.class, m -> then(() -> care.probed(m)))
        .onMessage(HealthChecked.class, m -> then(() -> care.checked(m)))
        .build();
  }

  private Behavior<AgentCommand> then(Runnable action) {
    action.run();
    return this;
  }

  // --- registration and reports -----------------------------------------------------------------

  private void register(GpuSlot slot) {
    getContext().ask(GpuWorkerCommand.Reply.class, gpuWorker(slot.gpuId), settings.runner().ackTimeout(),
        r -> new GpuWorkerCommand.Register(slot.spec, slot.initialPool, "agent@" + nodeId, r),
        (reply, error) -> new Registered(slot.gpuId, reply, error));
  }

  private Behavior<AgentCommand> onRegistered(Registered m) {
    GpuSlot slot = slots.get(m.gpuId());
    if (m.reply() instanceof GpuWorkerCommand.Accepted a) {
      slot.status = a.status();
      getContext().getLog().info("gpu {} registered status={} model={} host={}", slot.gpuId, a.status(),
          slot.spec.model(), slot.spec.hostId());
    } else if (m.reply() instanceof GpuWorkerCommand.Rejected r) {
      getContext().getLog().error("gpu {} refused registration: {}. It takes no sessions; fix the GPU's "
          + "configuration or retire the old worker id.", slot.gpuId, r.rejection().detail());
    } else {
      getContext().getLog().warn("gpu {} registration unanswered ({}), retrying", slot.gpuId, m.error().toString());
      register(slot);
    }
    return this;
  }

  private Behavior<AgentCommand> onTick(Tick m) {
    boolean heartbeat = ticks++ % ticksPerHeartbeat == 0;
    Instant now = Instant.now();
    if (heartbeat) {
      care.probeEngines();
    }
    for (GpuSlot slot : slots.values()) {
      if (slot.status == GpuStatus.UNREGISTERED) {
        continue;
      }
      if (heartbeat) {
        gpuWorker(slot.gpuId).tell(new GpuWorkerCommand.Heartbeat(getContext().getSystem().ignoreRef()));
        String gpuId = slot.gpuId;
        getContext().ask(GpuWorkerState.class, gpuWorker(gpuId), settings.heartbeatInterval(),
            GpuWorkerCommand.GetState::new, (state, error) -> new GpuStateFetched(gpuId, state));
      }
      reports.tell(Topic.publish(new GpuReport(slot.gpuId, nodeId, slot.spec.hostId(), slot.spec.model(),
          getContext().getSelf(), grants, slot.remediating ? GpuStatus.RESETTING : slot.status,
          slot.runs.size(), settings.sessionsPerGpu(), List.copyOf(slot.engine.heldBlocks()), now, slot.runningAttempts(),
          slot.identity, xidSignal, EngineView.of(slot.engine))));
    }
    return this;
  }

  /** Catches up with a status change whose announcement was lost (this node was unreachable). */
  private Behavior<AgentCommand> onStateFetched(GpuStateFetched m) {
    GpuSlot slot = slots.get(m.gpuId());
    boolean differs = m.state() != null && slot != null && !slot.remediating
        && slot.status != GpuStatus.UNREGISTERED && m.state().status() != slot.status;
    // Twice in a row: one answer may predate a change this agent itself just made.
    if (differs && m.state().status() == mismatches.put(m.gpuId(), m.state().status())) {
      getContext().getLog().info("gpu {} is {} according to its GpuWorker, not {}: following it", m.gpuId(),
          m.state().status(), slot.status);
      mismatches.remove(m.gpuId());
      care.heard(m.state());
    } else if (!differs) {
      mismatches.remove(m.gpuId());
    }
    return this;
  }

  private Behavior<AgentCommand> onGetStatus(GetStatus m) {
    m.replyTo().tell(new AgentStatus(nodeId, slots.values().stream().map(s -> s.view(xidSignal)).toList()));
    return this;
  }

  private Behavior<AgentCommand> onHostObserved(HostObserved m) {
    xidSignal = m.signal();
    slots.values().forEach(s -> s.identity = m.identities().get(s.gpuId));
    return this;
  }

  // --- runs ending ------------------------------------------------------------------------------

  private Behavior<AgentCommand> onRunnerReported(RunnerReported m) {
    RunnerEvent e = m.event();
    GpuSlot slot = slotRunning(e.sessionId(), e.attempt());
    if (slot == null) {
      return this; // a run the agent already gave up on (aborted or replaced)
    }
    if (e instanceof RunnerEvent.Prefilled p) {
      slot.countPrefill(p.stats());
      if (p.attempt() > 1) {
        resumes.record(p.stats());
      }
      return this;
    }
    slot.runs.remove(e.sessionId());
    if (e instanceof RunnerEvent.Failed f && f.cause().kind() == FailureCause.Kind.XID) {
      care.xid(slot.gpuId, f.cause().xidCode(), f.cause().detail() + " (session " + e.sessionId() + ")");
    } else if (e instanceof RunnerEvent.Failed f && f.cause().kind() == FailureCause.Kind.ENGINE_LOST) {
      care.engineLost(slot.gpuId, f.cause().detail());
    }
    return this;
  }

  private Behavior<AgentCommand> onRunnerStopped(RunnerStopped m) {
    GpuSlot slot = slots.get(m.gpuId());
    GpuSlot.Run run = slot.runs.get(m.sessionId());
    if (run != null && run.attempt() == m.attempt()) {
      // Stopped without reporting how it ended: it crashed. The session moves on without it.
      slot.runs.remove(m.sessionId());
      getContext().getLog().error("session {} attempt {}: runner on {} stopped unexpectedly; failing the attempt",
          m.sessionId(), m.attempt(), m.gpuId());
      session(m.sessionId()).tell(new SessionCommand.Hint(m.attempt(), m.gpuId(),
          FailureCause.of(FailureCause.Kind.ENGINE_ERROR, "the run crashed on " + m.gpuId())));
    }
    return this;
  }

  private GpuSlot slotRunning(String sessionId, int attempt) {
    for (GpuSlot slot : slots.values()) {
      GpuSlot.Run run = slot.runs.get(sessionId);
      if (run != null && run.attempt() == attempt) {
        return slot;
      }
    }
    return null;
  }

  private EntityRef<SessionCommand> session(String sessionId) {
    return sharding.entityRefFor(Session.ENTITY_KEY, sessionId);
  }

  private EntityRef<GpuWorkerCommand> gpuWorker(String gpuId) {
    return sharding.entityRefFor(GpuWorker.ENTITY_KEY, gpuId);
  }
}
