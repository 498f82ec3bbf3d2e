package io.baton.workers.agent;

import io.baton.actors.Printable;
import io.baton.actors.session.FailureCause;
import io.baton.actors.worker.GpuWorkerCommand;
import io.baton.actors.worker.XidCatalog;
import io.baton.actors.worker.XidClass;
import io.baton.workers.agent.GpuCommand.Step;
import io.baton.workers.engine.Fault;
import io.baton.workers.engine.FaultHooks;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * How a GPU's keeper answers an XID (DESIGN.md, "XID classes"): it records each one on the
 * GpuWorker entity and acts by its class. Part of that one actor, touched only on its thread.
 */
final class GpuXids {
  /** The GPU must leave rotation and be reset, for this reason; its runs fail with this cause. */
  record Remedy(String reason, FailureCause cause) {}

  private final ActorContext<GpuCommand> context;
  private final GpuState gpu;
  private final GpuRuns runs;
  private final GpuLinks links;
  private final XidCatalog catalog = XidCatalog.standard();

  GpuXids(ActorContext<GpuCommand> context, GpuState gpu, GpuRuns runs,
      GpuLinks links) {
    this.context = context;
    this.gpu = gpu;
    this.runs = runs;
    this.links = links;
  }

  /**
   * Records the XID and acts on it. An observed application-class XID (from the kernel log or chaos
   * mode, naming the GPU, not a session) ended the GPU's contexts: its sessions move now, as
   * MIGRATED rather than as their own fault, since a bystander of another context's fault must not
   * look like half of a poison request. The GPU itself is fine and keeps its memory.
   *
   * @param serving whether the GPU is in service; out of it, the XID is only recorded
   * @return the remedy when the GPU must be reset; null otherwise
   */
  Remedy onXid(GpuCommand.Xid x, boolean serving) {
    XidClass xidClass = catalog.classify(x.code());
    context.getLog().warn("gpu {} XID {} class={} action=\"{}\" detail=\"{}\"", gpu.id, x.code(), xidClass.id(),
        xidClass.action(), Printable.of(x.detail()));
    links.meters().registry().counter("baton.xids", "code", catalog.label(x.code()), "class", xidClass.id()).increment();
    gpu.ask(Step.RECORD_XID, r -> new GpuWorkerCommand.RecordXid(x.code(), x.detail(), links.by(), r));
    FailureCause cause = FailureCause.xid(x.code(), xidClass.id(), x.detail());
    String reason = "XID " + x.code() + " (" + xidClass.id() + "): " + x.detail();
    switch (xidClass) {
      case APP_FAULT:
        if (x.observed()) {
          runs.abortAll(FailureCause.of(FailureCause.Kind.MIGRATED, "XID " + x.code() + " (app-fault) on " + gpu.id
              + " ended its contexts: " + x.detail()));
        }
        gpu.engine.faults().ifPresent(FaultHooks::clear);
        return null;
      case RESET_GPU:
      case UNKNOWN:
        return serving ? new Remedy(reason, cause) : null;
      case NODE_FATAL:
        // The whole host is unusable: every GPU on it leaves rotation until an operator replaces it.
        links.agent().tell(new AgentCommand.HostDown(gpu.spec.hostId(), "host " + gpu.spec.hostId() + ": " + reason,
            cause));
        return null;
      default:
        return null;
    }
  }

  /** A run's own failure: an XID it raised, or its engine gone, becomes the GPU's. */
  void onRunFailed(RunnerEvent e, FailureCause cause) {
    if (cause == null) {
      return;
    }
    if (cause.kind() == FailureCause.Kind.XID) {
      context.getSelf().tell(new GpuCommand.Xid(cause.xidCode(), cause.detail() + " (session " + e.sessionId() + ")",
          false));
    } else if (cause.kind() == FailureCause.Kind.ENGINE_LOST) {
      context.getSelf().tell(new GpuCommand.EngineLost(cause.detail()));
    }
  }

  /** Chaos and tests: arms a simulated fault; an XID that does not stop the GPU only shows up in the log. */
  void inject(Fault fault) {
    if (fault instanceof Fault.Xid x) {
      XidClass xidClass = catalog.classify(x.code());
      if (xidClass == XidClass.INFORMATIONAL || xidClass == XidClass.SECONDARY) {
        context.getSelf().tell(new GpuCommand.Xid(x.code(), "injected XID " + x.code(), true));
        return;
      }
    }
    gpu.engine.faults().ifPresentOrElse(h -> h.inject(fault),
        () -> context.getLog().warn("gpu {}: engine cannot simulate faults, {} ignored", gpu.id, fault));
  }
}
