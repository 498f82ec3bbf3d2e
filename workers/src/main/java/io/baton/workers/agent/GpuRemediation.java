package io.baton.workers.agent;

import static io.baton.workers.agent.GpuCommand.Step.CORDON;
import static io.baton.workers.agent.GpuCommand.Step.REPORT_CHECK;
import static io.baton.workers.agent.GpuCommand.Step.RESET_FAILED;
import static io.baton.workers.agent.GpuCommand.Step.START_RESET;

import io.baton.actors.session.FailureCause;
import io.baton.actors.worker.GpuStatus;
import io.baton.actors.worker.GpuWorkerCommand;
import io.baton.actors.worker.GpuWorkerCommand.Accepted;
import io.baton.workers.agent.GpuCommand.*;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * The states a {@link GpuKeeper} takes its GPU through when it must leave rotation (DESIGN.md,
 * "Capacity pool"): suspect (the entity cordons it and records the reset's start), resetting (the
 * reset wait, then the engine's reset off the actor's thread), checking (the active health check,
 * compared with the answer the GPU gave when it joined, and its report). A passed check returns the
 * GPU as a spare, a failed one resets once more and the entity retires it after the second; a reset
 * that fails or times out retires it at once, with the reason. Part of the keeper's actor.
 */
final class GpuRemediation {
  /** A health check's outcome as reported to the entity, kept to resend it if unanswered. */
  private record Verdict(boolean passed, String detail) {}

  private final GpuKeeper keeper;
  private final ActorContext<GpuCommand> context;
  private final TimerScheduler<GpuCommand> timers;
  private final AgentSettings settings;
  private final GpuLinks links;
  private final GpuState gpu;
  private final GpuRuns runs;
  private final Executor blocking;

  GpuRemediation(GpuKeeper keeper, ActorContext<GpuCommand> context, TimerScheduler<GpuCommand> timers,
      AgentSettings settings, GpuLinks links, GpuState gpu, GpuRuns runs, Executor blocking) {
    this.keeper = keeper;
    this.context = context;
    this.timers = timers;
    this.settings = settings;
    this.links = links;
    this.gpu = gpu;
    this.runs = runs;
    this.blocking = blocking;
  }

  /** Out of rotation now: fail its runs so they move, then cordon (unless already out) and reset. */
  Behavior<GpuCommand> remediate(String reason, FailureCause cause) {
    runs.abortAll(cause);
    if (gpu.status.isQuarantined()) {
      askStartReset(reason);
    } else {
      gpu.ask(CORDON, r -> new GpuWorkerCommand.Cordon(links.by(), reason, r));
    }
    return suspect(reason);
  }

  private void askStartReset(String reason) {
    gpu.ask(START_RESET, r -> new GpuWorkerCommand.StartReset(links.by(), reason, r));
  }

  /** Waiting for the entity to take the GPU out (cordon) and to record the reset's start. */
  private Behavior<GpuCommand> suspect(String reason) {
    gpu.phase = GpuKeeper.Phase.SUSPECT;
    return keeper.common(Behaviors.receive(GpuCommand.class)
        .onMessage(Answered.class, m -> m.step() == CORDON || m.step() == START_RESET, m -> {
          if (m.reply() instanceof Accepted a) {
            gpu.status = a.status();
            if (m.step() == CORDON) {
              askStartReset(reason);
              return Behaviors.same();
            }
            timers.startSingleTimer(new ResetDue(), settings.resetDuration());
            return resetting();
          }
          if (m.reply() == null) {
            // The entity is moving or its journal is slow: the GPU stays out and the step is asked again.
            context.getLog().warn("gpu {}: {} unanswered ({}), asking again", gpu.id, m.step(), m.error().toString());
            if (m.step() == CORDON) {
              gpu.ask(CORDON, r -> new GpuWorkerCommand.Cordon(links.by(), reason, r));
            } else {
              askStartReset(reason);
            }
            return Behaviors.same();
          }
          return refused(m);
        }));
  }

  private Behavior<GpuCommand> resetting() {
    gpu.phase = GpuKeeper.Phase.RESETTING;
    return keeper.common(Behaviors.receive(GpuCommand.class)
        .onMessage(ResetDue.class, m -> {
          context.getLog().info("gpu {} resetting its engine", gpu.id);
          // An engine server's reset runs a command and waits for the engine: never on the actor's thread.
          context.pipeToSelf(CompletableFuture.runAsync(gpu.engine::reset, blocking), (ok, error) -> new ResetFinished(error));
          return Behaviors.same();
        })
        .onMessage(ResetFinished.class, m -> {
          if (m.error() != null) {
            String why = m.error() instanceof CompletionException && m.error().getCause() != null
                ? m.error().getCause().getMessage() : m.error().toString();
            context.getLog().error("gpu {} reset failed: {}; retiring it. Replace or repair the GPU, then"
                + " register it under a new host or index.", gpu.id, why);
            return resetFailed(why);
          }
          context.getLog().info("gpu {} reset, running the active health check", gpu.id);
          context.pipeToSelf(CompletableFuture.supplyAsync(gpu::runHealthCheck, blocking), Checked::new);
          return checking(null);
        }));
  }

  /** The reset failed or timed out: the entity retires the GPU, with why (still resetting until it has). */
  private Behavior<GpuCommand> resetFailed(String why) {
    gpu.ask(RESET_FAILED, r -> new GpuWorkerCommand.ReportResetFailed(links.by(), why, r));
    return keeper.common(Behaviors.receive(GpuCommand.class)
        .onMessage(Answered.class, m -> m.step() == RESET_FAILED, m -> {
          if (m.reply() instanceof Accepted a) {
            gpu.status = a.status();
            return a.status() == GpuStatus.RETIRED ? keeper.retired() : keeper.serving();
          }
          if (m.reply() == null) {
            context.getLog().warn("gpu {}: reset failure unanswered ({}), reporting it again", gpu.id,
                m.error().toString());
            return resetFailed(why);
          }
          return refused(m);
        }));
  }

  /** @param reported the verdict sent to the entity; null while the check runs */
  private Behavior<GpuCommand> checking(Verdict reported) {
    gpu.phase = GpuKeeper.Phase.CHECKING;
    return keeper.common(Behaviors.receive(GpuCommand.class)
        .onMessage(Checked.class, m -> reported == null, m -> {
          String failure = gpu.failureOf(m.tokens(), m.error());
          return report(failure == null
              ? new Verdict(true, "health check passed: " + m.tokens().size() + " tokens as expected")
              : new Verdict(false, failure));
        })
        .onMessage(Answered.class, m -> m.step() == REPORT_CHECK && reported != null, m -> {
          if (m.reply() instanceof Accepted a) {
            gpu.status = a.status();
            if (a.status() == GpuStatus.RETIRED) {
              return keeper.retired();
            }
            if (reported.passed()) {
              return keeper.serving();
            }
            // One more reset; a second failed check retires the GPU (GpuWorker's rule).
            timers.startSingleTimer(new ResetDue(), settings.resetDuration());
            return resetting();
          }
          if (m.reply() == null) {
            context.getLog().warn("gpu {}: health check report unanswered ({}), sending it again", gpu.id,
                m.error().toString());
            return report(reported);
          }
          return refused(m);
        }));
  }

  private Behavior<GpuCommand> report(Verdict verdict) {
    context.getLog().info("gpu {} {}", gpu.id, verdict.detail());
    gpu.ask(REPORT_CHECK, r -> new GpuWorkerCommand.ReportHealthCheck(verdict.passed(), links.by(), verdict.detail(), r));
    return checking(verdict);
  }

  /** The entity refused a remediation step (an operator moved the GPU meanwhile): follow its status. */
  private Behavior<GpuCommand> refused(Answered m) {
    GpuWorkerCommand.Rejected r = (GpuWorkerCommand.Rejected) m.reply();
    context.getLog().warn("gpu {}: {} refused: {}; the GPU keeps status {}", gpu.id, m.step(), r.rejection(),
        gpu.status);
    return gpu.status == GpuStatus.RETIRED ? keeper.retired() : keeper.serving();
  }
}
