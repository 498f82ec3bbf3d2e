package io.baton.workers.agent;

import io.baton.actors.session.Grant;
import io.baton.actors.worker.GpuSpec;
import io.baton.actors.worker.GpuStatus;
import io.baton.actors.worker.GpuWorkerCommand;
import io.baton.actors.worker.GpuWorkerState;
import io.baton.workers.agent.GpuCommand.*;
import io.baton.workers.agent.WorkerAgent.AgentGpu;
import io.baton.workers.engine.InferenceEngine;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.pubsub.Topic;

/**
 * What a {@link GpuKeeper} knows of its GPU, and what it does alike in every state: heartbeats and
 * reports, answers about itself, and its questions to the GpuWorker entity. Part of that one actor,
 * touched only on its thread; the entity holds everything durable.
 */
final class GpuState {
  final String id;
  final GpuSpec spec;
  final InferenceEngine engine;
  GpuKeeper.Phase phase = GpuKeeper.Phase.JOINING;
  /** As last heard from the GpuWorker entity: UNREGISTERED until registration is acknowledged. */
  GpuStatus status = GpuStatus.UNREGISTERED;

  private final ActorContext<GpuCommand> context;
  private final AgentSettings settings;
  private final AgentGpu gpu;
  private final GpuLinks links;
  private final GpuRuns runs;
  private final ActorRef<Grant> grants;
  private final long ticksPerHeartbeat;
  private long ticks;
  /** Its PCI bus id and UUID as the host's inventory lists them; null until the kernel-log watcher maps it. */
  private GpuIdentity identity;
  private XidSignal xidSignal = XidSignal.OFF;
  /** The health check's answer on this GPU when it joined; null until a check has answered. */
  private List<Integer> baseline;
  /** The entity's status at the last heartbeat, when it differed from the one this actor holds. */
  private GpuStatus mismatch;

  GpuState(ActorContext<GpuCommand> context, AgentSettings settings, AgentGpu gpu, GpuLinks links, GpuRuns runs,
      ActorRef<Grant> grants) {
    this.context = context;
    this.settings = settings;
    this.gpu = gpu;
    this.id = gpu.gpuId();
    this.spec = gpu.spec();
    this.engine = gpu.engine();
    this.links = links;
    this.runs = runs;
    this.grants = grants;
    this.ticksPerHeartbeat = Math.max(1, settings.heartbeatInterval().toMillis() / settings.reportInterval().toMillis());
  }

  void register() {
    context.ask(GpuWorkerCommand.Reply.class, links.worker(), settings.runner().ackTimeout(),
        r -> new GpuWorkerCommand.Register(spec, gpu.pool(), links.by(), r), Registered::new);
  }

  void ask(Step step, Function<ActorRef<GpuWorkerCommand.Reply>, GpuWorkerCommand> command) {
    context.ask(GpuWorkerCommand.Reply.class, links.worker(), settings.runner().ackTimeout(), command::apply,
        (reply, error) -> new Answered(step, reply, error));
  }

  /** Runs off the actor's thread. */
  List<Integer> runHealthCheck() {
    return HealthCheck.run(engine, settings.healthCheckTokens());
  }

  /**
   * Why a health check failed, or null when it passed. The first check to answer sets the
   * expected output (an engine down when the GPU joined has none until then).
   */
  String failureOf(List<Integer> tokens, Throwable error) {
    if (error != null) {
      return "health check failed: " + error;
    }
    if (baseline == null) {
      baseline = tokens;
    }
    return baseline.equals(tokens) ? null : "health check output differs: expected " + baseline + ", got " + tokens;
  }

  /** Why the GPU cannot take a session now (room aside), or null when it can. */
  String refusal() {
    if (phase.remediating()) {
      return id + " is being reset";
    }
    return phase == GpuKeeper.Phase.SERVING && status == GpuStatus.ACTIVE ? null : id + " is " + status;
  }

  /** Whether an announced state is this GPU's; if so its status becomes this actor's. */
  boolean adopt(GpuWorkerState state) {
    if (state == null || state.gpu() == null || !state.gpu().equals(spec)) {
      return false;
    }
    status = state.status();
    return true;
  }

  /**
   * Whether the entity's state, fetched with a heartbeat, shows a change whose announcement was
   * lost (this node was unreachable). Twice in a row: one answer may predate a change this actor
   * itself just made.
   */
  boolean confirmsChange(GpuWorkerState state) {
    boolean differs = state != null && status != GpuStatus.UNREGISTERED && state.status() != status;
    if (!differs) {
      mismatch = null;
      return false;
    }
    boolean twice = state.status() == mismatch;
    mismatch = twice ? null : state.status();
    if (twice) {
      context.getLog().info("gpu {} is {} according to its GpuWorker, not {}: following it", id, state.status(), status);
    }
    return twice;
  }

  /** What every state does alike with the messages no state handles itself. */
  void onAnyState(GpuCommand m) {
    if (m instanceof Tick) {
      tick();
    } else if (m instanceof GetView v) {
      v.replyTo().tell(view());
    } else if (m instanceof Host h) {
      identity = h.identity();
      xidSignal = h.signal();
    } else if (m instanceof Baseline b) {
      if (b.error() != null) {
        // An engine server down at start must not stop the node; the first check that passes later
        // records the answer instead, and the liveness probe takes the GPU out meanwhile.
        context.getLog().error("gpu {} gave no answer to record for its health check ({}); check the engine at"
            + " its URL", id, b.error().toString());
      } else if (baseline == null) {
        baseline = b.tokens();
      }
    } else if (m instanceof Answered a) {
      answered(a);
    } else {
      context.getLog().debug("gpu {} ({}) ignores {}", id, phase, m);
    }
  }

  private void answered(Answered a) {
    if (a.reply() instanceof GpuWorkerCommand.Accepted ok) {
      status = ok.status();
    } else if (a.reply() instanceof GpuWorkerCommand.Rejected r) {
      context.getLog().warn("gpu {}: {} refused: {}", id, a.step(), r.rejection());
    } else {
      context.getLog().warn("gpu {}: {} unanswered ({})", id, a.step(), a.error().toString());
    }
  }

  private void tick() {
    boolean heartbeat = ticks++ % ticksPerHeartbeat == 0;
    if (status == GpuStatus.UNREGISTERED) {
      return;
    }
    if (heartbeat) {
      links.worker().tell(new GpuWorkerCommand.Heartbeat(context.getSystem().ignoreRef()));
      context.ask(GpuWorkerState.class, links.worker(), settings.heartbeatInterval(), GpuWorkerCommand.GetState::new,
          (state, error) -> new StateFetched(state));
      if (phase == GpuKeeper.Phase.SERVING && status.isInRotation()) {
        // An engine that does not answer within a heartbeat is lost; engines in this process always answer.
        context.pipeToSelf(engine.healthy(settings.heartbeatInterval()),
            (healthy, error) -> new Probed(Boolean.TRUE.equals(healthy)));
      }
    }
    report();
  }

  /**
   * Publishes the GPU's report: every tick, and at once when a run ends, so the admission queue and
   * the placers see the freed place without waiting for the next tick.
   */
  void report() {
    if (status == GpuStatus.UNREGISTERED) {
      return;
    }
    links.reports().tell(Topic.publish(new GpuReport(id, links.nodeId(), spec.hostId(), spec.model(), links.agent(),
        grants, phase.remediating() ? GpuStatus.RESETTING : status, runs.size(), settings.sessionsPerGpu(),
        List.copyOf(engine.heldBlocks()), Instant.now(), runs.attempts(), identity, xidSignal, EngineView.of(engine),
        runs.loads())));
  }

  AgentStatus.Gpu view() {
    return new AgentStatus.Gpu(id, spec.hostId(), spec.model(), status, runs.sessions(), engine.heldBlocks().size(),
        runs.restoredTokens(), runs.cachedTokens(), runs.computedTokens(), phase.remediating(), phase.name().toLowerCase(Locale.ROOT), identity, xidSignal,
        EngineView.of(engine));
  }
}
