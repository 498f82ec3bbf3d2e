package io.baton.workers.agent;

import static io.baton.workers.agent.GpuCommand.Step.CORDON;
import static io.baton.workers.agent.GpuCommand.Step.REPORT_CHECK;
import static io.baton.workers.agent.GpuCommand.Step.RESET_FAILED;
import static io.baton.workers.agent.GpuCommand.Step.START_RESET;

import io.baton.actors.session.FailureCause;
import io.baton.actors.session.Grant;
import io.baton.actors.worker.GpuStatus;
import io.baton.actors.worker.GpuWorkerCommand;
import io.baton.actors.worker.GpuWorkerCommand.Accepted;
import io.baton.actors.worker.GpuWorkerState;
import io.baton.workers.agent.GpuCommand.*;
import io.baton.workers.agent.WorkerAgent.AgentGpu;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.BehaviorBuilder;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * One GPU of a worker agent, as one actor with one behavior per state (DESIGN.md, "Workers"):
 * joining, serving, suspect, resetting, checking, retired. It owns the GPU's engine client, its runs,
 * its liveness probe and its remediation, and reports the GPU to every placer. The durable facts
 * about the GPU are its GpuWorker entity's: this actor follows them and asks for changes.
 *
 * <p>Remediation (DESIGN.md, "Capacity pool"): cordon (suspect), reset the engine after the reset
 * wait (resetting), run the active health check and report it (checking); a passed check returns
 * the GPU as a spare, a failed one resets again, and the entity retires it after two.
 */
final class GpuKeeper {
  enum Phase {
    JOINING, SERVING, SUSPECT, RESETTING, CHECKING, RETIRED;

    boolean remediating() {
      return this == SUSPECT || this == RESETTING || this == CHECKING;
    }
  }

  private final ActorContext<GpuCommand> context;
  private final TimerScheduler<GpuCommand> timers;
  private final AgentSettings settings;
  private final GpuLinks links;
  private final GpuState gpu;
  private final GpuRuns runs;
  private final GpuXids xids;
  private final Executor blocking;
  private final GpuRemediation remediation;

  private GpuKeeper(ActorContext<GpuCommand> context, TimerScheduler<GpuCommand> timers, AgentSettings settings,
      AgentGpu agentGpu, GpuLinks links) {
    this.context = context;
    this.timers = timers;
    this.settings = settings;
    this.links = links;
    // Grants come from session entities anywhere in the cluster, typed as the actors module knows them.
    ActorRef<Grant> grants = context.spawn(Behaviors.<Grant>receiveMessage(g -> {
      context.getSelf().tell(new Granted(g));
      return Behaviors.same();
    }), "grants");
    this.runs = new GpuRuns(context, agentGpu.gpuId(), agentGpu.engine(), settings, links);
    this.gpu = new GpuState(context, settings, agentGpu, links, runs, grants);
    this.xids = new GpuXids(context, gpu, runs, links);
    this.blocking = context.getSystem().dispatchers().lookup(DispatcherSelector.fromConfig(WorkerAgent.RUNNER_DISPATCHER));
    this.remediation = new GpuRemediation(this, context, timers, settings, links, gpu, runs, blocking);
  }

  static Behavior<GpuCommand> create(AgentSettings settings, AgentGpu gpu, GpuLinks links) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new GpuKeeper(ctx, timers, settings, gpu, links).start()));
  }

  private Behavior<GpuCommand> start() {
    timers.startTimerWithFixedDelay(new Tick(), settings.reportInterval());
    gpu.register();
    // The answer every later check must reproduce, taken off the actor's thread: a remote engine may be slow.
    context.pipeToSelf(CompletableFuture.supplyAsync(gpu::runHealthCheck, blocking), Baseline::new);
    return joining();
  }

  // --- states -----------------------------------------------------------------------------------

  private Behavior<GpuCommand> joining() {
    gpu.phase = Phase.JOINING;
    return common(Behaviors.receive(GpuCommand.class).onMessage(Registered.class, m -> {
      if (m.reply() instanceof Accepted a) {
        gpu.status = a.status();
        context.getLog().info("gpu {} registered status={} model={} host={}", gpu.id, a.status(), gpu.spec.model(),
            gpu.spec.hostId());
        return a.status() == GpuStatus.RETIRED ? retired()
            // Its agent stopped in the middle of a reset: finish it before the GPU serves again.
            : a.status() == GpuStatus.SUSPECT || a.status() == GpuStatus.RESETTING
                ? remediation.remediate("found " + a.status() + " when it joined", FailureCause.of(FailureCause.Kind.MIGRATED,
                    gpu.id + " is " + a.status()))
                : serving();
      }
      if (m.reply() instanceof GpuWorkerCommand.Rejected r) {
        context.getLog().error("gpu {} refused registration: {}. It takes no sessions; fix the GPU's configuration "
            + "or retire the old worker id.", gpu.id, r.rejection().detail());
      } else {
        context.getLog().warn("gpu {} registration unanswered ({}), retrying", gpu.id, m.error().toString());
        gpu.register();
      }
      return Behaviors.same();
    }));
  }

  Behavior<GpuCommand> serving() {
    gpu.phase = Phase.SERVING;
    return common(Behaviors.receive(GpuCommand.class)
        .onMessage(Xid.class, m -> {
          GpuXids.Remedy remedy = xids.onXid(m, true);
          return remedy == null ? Behaviors.same() : remediation.remediate(remedy.reason(), remedy.cause());
        })
        .onMessage(EngineLost.class, m -> engineLost(m.detail()))
        .onMessage(Probed.class, m -> m.healthy() || !gpu.status.isInRotation() ? Behaviors.same()
            : engineLost("its engine did not answer the liveness probe within "
                + settings.heartbeatInterval().toMillis() + " ms"))
        .onMessage(HostDown.class, m -> {
          runs.abortAll(m.cause());
          gpu.ask(CORDON, r -> new GpuWorkerCommand.Cordon(links.by(), m.reason(), r));
          return Behaviors.same();
        })
        .onMessage(StateHeard.class, m -> heardWhileServing(m.state()))
        .onMessage(StateFetched.class, m -> gpu.confirmsChange(m.state()) ? heardWhileServing(m.state())
            : Behaviors.same()));
  }

  /**
   * A refused connection, a dead stream or an unanswered probe: the GPU leaves rotation at once,
   * without waiting for a session's lease, and is reset and checked like after an XID.
   */
  private Behavior<GpuCommand> engineLost(String detail) {
    context.getLog().warn("gpu {} lost its engine: {}", gpu.id, detail);
    return remediation.remediate("engine lost: " + detail, FailureCause.of(FailureCause.Kind.ENGINE_LOST,
        gpu.id + " lost its engine: " + detail));
  }

  /** A GpuWorker's state as its entity announced it: follow what others decided about our GPU. */
  private Behavior<GpuCommand> heardWhileServing(GpuWorkerState state) {
    if (!gpu.adopt(state)) {
      return Behaviors.same();
    }
    String why = state.lastChange() == null ? "" : state.lastChange().reason();
    FailureCause moved = FailureCause.of(FailureCause.Kind.MIGRATED, gpu.id + " is " + state.status() + ": " + why);
    switch (state.status()) {
      case SUSPECT:
        return remediation.remediate("marked suspect: " + why, moved);
      case DRAINING:
        if (settings.drainMigrates()) {
          runs.abortAll(FailureCause.of(FailureCause.Kind.MIGRATED, gpu.id + " is draining (policy migrate): " + why));
        }
        return Behaviors.same();
      case CORDONED:
        runs.abortAll(moved);
        return Behaviors.same();
      case RETIRED:
        return retired();
      default:
        return Behaviors.same();
    }
  }

  Behavior<GpuCommand> retired() {
    gpu.phase = Phase.RETIRED;
    timers.cancel(new ResetDue());
    runs.abortAll(FailureCause.of(FailureCause.Kind.MIGRATED, gpu.id + " is retired"));
    return common(Behaviors.receive(GpuCommand.class));
  }

  // --- in every state ---------------------------------------------------------------------------

  /** The state's own handlers first, then what every state does alike. */
  Behavior<GpuCommand> common(BehaviorBuilder<GpuCommand> state) {
    return state
        .onMessage(Granted.class, m -> {
          int running = runs.size();
          runs.granted(m.grant(), gpu.refusal());
          reportIfChanged(running);
          return Behaviors.same();
        })
        .onMessage(Xid.class, m -> {
          xids.onXid(m, false);
          return Behaviors.same();
        })
        .onMessage(RunnerReported.class, m -> {
          int running = runs.size();
          xids.onRunFailed(m.event(), runs.reported(m.event()));
          reportIfChanged(running);
          return Behaviors.same();
        })
        .onMessage(RunnerStopped.class, m -> {
          int running = runs.size();
          runs.stopped(m.sessionId(), m.attempt());
          reportIfChanged(running);
          return Behaviors.same();
        })
        .onMessage(Moved.class, m -> {
          runs.moved(m.sessionId(), m.attempt());
          return Behaviors.same();
        })
        .onMessage(GpuCommand.Preempt.class, m -> {
          int running = runs.size();
          runs.preempt(m.sessionId(), m.attempt(), m.reason());
          reportIfChanged(running);
          return Behaviors.same();
        })
        .onMessage(Inject.class, m -> {
          xids.inject(m.fault());
          return Behaviors.same();
        })
        .onMessage(StateHeard.class, m -> {
          boolean retiredNow = gpu.adopt(m.state()) && gpu.status == GpuStatus.RETIRED && gpu.phase != Phase.RETIRED;
          return retiredNow ? retired() : Behaviors.same();
        })
        .onMessage(GpuCommand.class, m -> {
          gpu.onAnyState(m);
          return Behaviors.same();
        })
        .build();
  }

  /**
   * A run started or ended: the placers and the admission queue hear of the place taken or freed
   * now, not at the next tick, so an admission is seen running and a freed place is given at once.
   */
  private void reportIfChanged(int runningBefore) {
    if (runs.size() != runningBefore) {
      gpu.report();
    }
  }
}
