package io.baton.workers.agent;

import io.baton.actors.Printable;
import io.baton.actors.session.FailureCause;
import io.baton.actors.session.Session;
import io.baton.actors.session.SessionCommand;
import io.baton.actors.worker.GpuStatus;
import io.baton.actors.worker.GpuWorker;
import io.baton.actors.worker.GpuWorkerCommand;
import io.baton.actors.worker.GpuWorkerState;
import io.baton.actors.worker.XidCatalog;
import io.baton.actors.worker.XidClass;
import io.baton.workers.agent.AgentCommand.HealthChecked;
import io.baton.workers.agent.AgentCommand.ResetDone;
import io.baton.workers.agent.AgentCommand.StatusAnswered;
import io.baton.workers.engine.Fault;
import io.baton.workers.engine.FaultHooks;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * How an agent looks after its GPUs (DESIGN.md, "XID classes" and "Capacity pool"): it records each
 * XID on the GpuWorker and acts by the XID's class, and it takes a GPU that must be reset through
 * cordon, reset and an active health check back to the spare pool. Runs in the agent's actor.
 */
final class GpuCare {
  private final ActorContext<AgentCommand> context;
  private final TimerScheduler<AgentCommand> timers;
  private final AgentSettings settings;
  private final String by;
  private final Map<String, GpuSlot> slots;
  private final ClusterSharding sharding;
  private final XidCatalog xids = XidCatalog.standard();
  private final Executor blocking;
  private final MeterRegistry metrics;
  /** Each model's health-check output on a healthy GPU, taken when the agent started. */
  private final Map<String, List<Integer>> expected = new HashMap<>();

  GpuCare(ActorContext<AgentCommand> context, TimerScheduler<AgentCommand> timers, AgentSettings settings, String by,
      Map<String, GpuSlot> slots, ClusterSharding sharding, MeterRegistry metrics) {
    this.context = context;
    this.metrics = metrics;
    this.timers = timers;
    this.settings = settings;
    this.by = by;
    this.slots = slots;
    this.sharding = sharding;
    this.blocking = context.getSystem().dispatchers().lookup(DispatcherSelector.fromConfig(WorkerAgent.RUNNER_DISPATCHER));
    for (GpuSlot slot : slots.values()) {
      if (!expected.containsKey(slot.spec.model())) {
        try {
          expected.put(slot.spec.model(), HealthCheck.run(slot.engine, settings.healthCheckTokens()));
        } catch (RuntimeException e) {
          // An engine server down at start must not take the agent (and every other GPU) with it;
          // the first check that passes later records the answer instead.
          context.getLog().error("gpu {} gave no answer to record for its health check ({}); check the engine at"
              + " its URL, the first later check sets the expected answer", slot.gpuId, e.toString());
        }
      }
    }
  }

  /**
   * An XID from the kernel log (or chaos mode). Unlike one a run raised itself, it names the GPU,
   * not the session: an application-class XID ended the GPU's contexts, so its sessions move now
   * (the GPU stays), but as MIGRATED rather than as their own fault, because a bystander of another
   * context's fault must not look like half of a poison request.
   */
  void observed(String gpuId, int code, String detail) {
    GpuSlot slot = slots.get(gpuId);
    if (slot != null && xids.classify(code) == XidClass.APP_FAULT && !slot.runs.isEmpty()) {
      abortRuns(slot, FailureCause.of(FailureCause.Kind.MIGRATED, "XID " + code + " (app-fault) on " + gpuId
          + " ended its contexts: " + detail));
    }
    xid(gpuId, code, detail);
  }

  /** An XID on one of this agent's GPUs: recorded, then answered by its class. */
  void xid(String gpuId, int code, String detail) {
    GpuSlot slot = slots.get(gpuId);
    if (slot == null) {
      context.getLog().warn("XID {} for unknown GPU {} ignored", code, Printable.of(gpuId));
      return;
    }
    XidClass xidClass = xids.classify(code);
    context.getLog().warn("gpu {} XID {} class={} action=\"{}\" detail=\"{}\"", gpuId, code, xidClass.id(),
        xidClass.action(), Printable.of(detail));
    metrics.counter("baton.xids", "code", xids.label(code), "class", xidClass.id()).increment();
    change(slot, "record XID " + code, r -> new GpuWorkerCommand.RecordXid(code, detail, by, r), null);
    FailureCause cause = FailureCause.xid(code, xidClass.id(), detail);
    String reason = "XID " + code + " (" + xidClass.id() + "): " + detail;
    if (xidClass == XidClass.APP_FAULT) {
      // The faulting context is gone; the GPU itself is fine and keeps its sessions and memory.
      slot.engine.faults().ifPresent(FaultHooks::clear);
    } else if (xidClass == XidClass.RESET_GPU || xidClass == XidClass.UNKNOWN) {
      remediate(slot, reason, cause);
    } else if (xidClass == XidClass.NODE_FATAL) {
      // The whole host is unusable: every GPU on it leaves rotation until an operator replaces it.
      for (GpuSlot s : slots.values()) {
        if (s.spec.hostId().equals(slot.spec.hostId())) {
          abortRuns(s, cause);
          change(s, "cordon", r -> new GpuWorkerCommand.Cordon(by, "host " + s.spec.hostId() + ": " + reason, r), null);
        }
      }
    }
  }

  /**
   * A run found its engine gone (connection refused, stream broken off): the GPU leaves rotation at
   * once, its other sessions move, and it is reset and checked like after an XID.
   */
  void engineLost(String gpuId, String detail) {
    GpuSlot slot = slots.get(gpuId);
    if (slot != null) {
      context.getLog().warn("gpu {} lost its engine: {}", gpuId, Printable.of(detail));
      remediate(slot, "engine lost: " + detail, FailureCause.of(FailureCause.Kind.ENGINE_LOST,
          gpuId + " lost its engine: " + detail));
    }
  }

  void inject(String gpuId, Fault fault) {
    GpuSlot slot = slots.get(gpuId);
    if (slot == null) {
      context.getLog().warn("fault for unknown GPU {} ignored", gpuId);
      return;
    }
    if (fault instanceof Fault.Xid x) {
      XidClass xidClass = xids.classify(x.code());
      if (xidClass == XidClass.INFORMATIONAL || xidClass == XidClass.SECONDARY) {
        // Such an XID does not stop the GPU: it only shows up in the kernel log.
        xid(gpuId, x.code(), "injected XID " + x.code());
        return;
      }
    }
    slot.engine.faults().ifPresentOrElse(h -> h.inject(fault),
        () -> context.getLog().warn("gpu {}: engine cannot simulate faults, {} ignored", gpuId, fault));
  }

  /** A GpuWorker's state, as its entity announced it: follow what others decided about our GPU. */
  void heard(GpuWorkerState state) {
    GpuSlot slot = slots.get(state.workerId());
    if (slot == null || state.gpu() == null || !state.gpu().equals(slot.spec)) {
      return;
    }
    slot.status = state.status();
    String why = state.lastChange() == null ? "" : state.lastChange().reason();
    if (state.status() == GpuStatus.SUSPECT) {
      remediate(slot, "marked suspect: " + why, FailureCause.of(FailureCause.Kind.MIGRATED, slot.gpuId + " is suspect"));
    } else if (state.status() == GpuStatus.DRAINING && settings.drainMigrates() && !slot.runs.isEmpty()) {
      abortRuns(slot, FailureCause.of(FailureCause.Kind.MIGRATED, slot.gpuId + " is draining (policy migrate): " + why));
    } else if ((state.status() == GpuStatus.CORDONED || state.status() == GpuStatus.RETIRED) && !slot.runs.isEmpty()) {
      abortRuns(slot, FailureCause.of(FailureCause.Kind.MIGRATED, slot.gpuId + " is " + state.status() + ": " + why));
    }
  }

  /** Cordon (unless already out), move its sessions now, reset, check, and return it as a spare. */
  private void remediate(GpuSlot slot, String reason, FailureCause cause) {
    abortRuns(slot, cause);
    if (slot.remediating) {
      return;
    }
    slot.remediating = true;
    Runnable reset = () -> change(slot, "start reset", r -> new GpuWorkerCommand.StartReset(by, reason, r),
        () -> timers.startSingleTimer("reset-" + slot.gpuId, new ResetDone(slot.gpuId), settings.resetDuration()));
    if (slot.status.isQuarantined()) {
      reset.run();
    } else {
      change(slot, "cordon", r -> new GpuWorkerCommand.Cordon(by, reason, r), reset);
    }
  }

  void resetDone(String gpuId) {
    GpuSlot slot = slots.get(gpuId);
    context.getLog().info("gpu {} resetting, then running the active health check", gpuId);
    // An engine server's reset runs a command and waits for the engine: never on the agent's thread.
    context.pipeToSelf(CompletableFuture.supplyAsync(() -> {
      slot.engine.reset();
      return HealthCheck.run(slot.engine, settings.healthCheckTokens());
    }, blocking), (tokens, error) -> new HealthChecked(gpuId, tokens, error));
  }

  /**
   * The liveness probe, once per heartbeat: an engine that does not answer within a heartbeat is
   * lost (a refused connection, a dead or hung process) and its GPU leaves rotation at once,
   * without waiting for a session's lease. Engines in this process always answer.
   */
  void probeEngines() {
    for (GpuSlot slot : slots.values()) {
      if (!slot.remediating && slot.status.isInRotation()) {
        String gpuId = slot.gpuId;
        context.pipeToSelf(slot.engine.healthy(settings.heartbeatInterval()),
            (healthy, error) -> new AgentCommand.EngineProbed(gpuId, Boolean.TRUE.equals(healthy)));
      }
    }
  }

  void probed(AgentCommand.EngineProbed m) {
    GpuSlot slot = slots.get(m.gpuId());
    if (!m.healthy() && slot != null && !slot.remediating && slot.status.isInRotation()) {
      engineLost(m.gpuId(), "its engine did not answer the liveness probe within " + settings.heartbeatInterval().toMillis()
          + " ms");
    }
  }

  void checked(HealthChecked m) {
    GpuSlot slot = slots.get(m.gpuId());
    List<Integer> want = m.error() == null ? expected.computeIfAbsent(slot.spec.model(), k -> m.tokens())
        : expected.get(slot.spec.model());
    boolean passed = m.error() == null && want.equals(m.tokens());
    String detail = m.error() != null ? "health check failed: " + m.error()
        : passed ? "health check passed: " + want.size() + " tokens as expected"
        : "health check output differs: expected " + want + ", got " + m.tokens();
    context.getLog().info("gpu {} {}", m.gpuId(), detail);
    change(slot, "report health check", r -> new GpuWorkerCommand.ReportHealthCheck(passed, by, detail, r), () -> {
      if (passed || slot.status == GpuStatus.RETIRED) {
        slot.remediating = false;
      } else {
        // One more reset; a second failed check retires the GPU (GpuWorker's rule).
        timers.startSingleTimer("reset-" + slot.gpuId, new ResetDone(slot.gpuId), settings.resetDuration());
      }
    });
  }

  void answered(StatusAnswered m) {
    GpuSlot slot = slots.get(m.gpuId());
    if (m.reply() instanceof GpuWorkerCommand.Accepted a) {
      slot.status = a.status();
      if (m.next() != null) {
        m.next().run();
      }
    } else if (m.reply() instanceof GpuWorkerCommand.Rejected r) {
      context.getLog().warn("gpu {}: {} refused: {}", m.gpuId(), m.what(), r.rejection());
      slot.remediating = slot.remediating && m.next() == null;
    } else {
      context.getLog().warn("gpu {}: {} unanswered ({}); the GPU stays out of placements until it is retried",
          m.gpuId(), m.what(), m.error().toString());
      slot.remediating = slot.remediating && m.next() == null;
    }
  }

  /** Fails every attempt on the GPU at once, so the sessions move without waiting for a timeout. */
  private void abortRuns(GpuSlot slot, FailureCause cause) {
    for (Map.Entry<String, GpuSlot.Run> e : slot.runs.entrySet()) {
      sharding.entityRefFor(Session.ENTITY_KEY, e.getKey()).tell(
          new SessionCommand.Hint(e.getValue().attempt(), slot.gpuId, cause));
      e.getValue().runner().tell(new SessionRunner.Stop());
      context.getLog().info("session {} attempt {}: moved off {} ({})", e.getKey(), e.getValue().attempt(),
          slot.gpuId, cause.detail());
    }
    slot.runs.clear();
  }

  private void change(GpuSlot slot, String what,
      Function<ActorRef<GpuWorkerCommand.Reply>, GpuWorkerCommand> command, Runnable next) {
    context.ask(GpuWorkerCommand.Reply.class, sharding.entityRefFor(GpuWorker.ENTITY_KEY, slot.gpuId),
        settings.runner().ackTimeout(), command::apply,
        (reply, error) -> new StatusAnswered(slot.gpuId, what, reply, error, next));
  }
}
