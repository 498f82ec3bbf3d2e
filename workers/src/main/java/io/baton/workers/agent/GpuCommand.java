package io.baton.workers.agent;

import io.baton.actors.session.FailureCause;
import io.baton.actors.session.Grant;
import io.baton.actors.worker.GpuWorkerCommand;
import io.baton.actors.worker.GpuWorkerState;
import io.baton.workers.engine.Fault;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;

/** What one GPU's {@link GpuKeeper} handles: from sessions and its agent first, then its own messages. */
sealed interface GpuCommand {

  /** A session granted an attempt on this GPU (through the keeper's grant adapter). */
  record Granted(Grant grant) implements GpuCommand {}

  /**
   * An XID on this GPU.
   *
   * @param observed from the kernel log or chaos mode (it names the GPU); false when one of this
   *     GPU's runs raised it itself (it names the session)
   */
  record Xid(int code, String detail, boolean observed) implements GpuCommand {}

  /** One of this GPU's runs found its engine gone (connection refused, stream broken off). */
  record EngineLost(String detail) implements GpuCommand {}

  /** Chaos and tests: arm a simulated fault on the engine. */
  record Inject(Fault fault) implements GpuCommand {}

  /** The session's entity restarted elsewhere and found this attempt running. */
  record Moved(String sessionId, int attempt) implements GpuCommand {}

  /** The admission queue wants this run's place for more urgent work. */
  record Preempt(String sessionId, int attempt, String reason) implements GpuCommand {}

  /** The host's kernel-log signal and this GPU's NVIDIA identity (null while unmapped). */
  record Host(XidSignal signal, GpuIdentity identity) implements GpuCommand {}

  /** The GpuWorker entity announced its state. */
  record StateHeard(GpuWorkerState state) implements GpuCommand {}

  /** Another GPU of this host raised a node-fatal XID: the whole host leaves rotation. */
  record HostDown(String reason, FailureCause cause) implements GpuCommand {}

  record GetView(ActorRef<AgentStatus.Gpu> replyTo) implements GpuCommand {}

  // --- the keeper's own messages ----------------------------------------------------------------

  record Registered(GpuWorkerCommand.Reply reply, Throwable error) implements GpuCommand {}

  /** The health check's answer taken when the GPU joined: what every later check must reproduce. */
  record Baseline(List<Integer> tokens, Throwable error) implements GpuCommand {}

  /** Time to publish the report, and every heartbeat interval to heartbeat and probe. */
  record Tick() implements GpuCommand {}

  /** The entity's state fetched with a heartbeat (null when it did not answer). */
  record StateFetched(GpuWorkerState state) implements GpuCommand {}

  record RunnerReported(RunnerEvent event) implements GpuCommand {}

  record RunnerStopped(String sessionId, int attempt) implements GpuCommand {}

  /** The liveness probe's answer. */
  record Probed(boolean healthy) implements GpuCommand {}

  /** Which change this keeper asked of its GpuWorker entity, so the answer goes to the right step. */
  enum Step { RECORD_XID, CORDON, START_RESET, REPORT_CHECK, RESET_FAILED }

  record Answered(Step step, GpuWorkerCommand.Reply reply, Throwable error) implements GpuCommand {}

  /** The reset's wait is over: reset the engine now. */
  record ResetDue() implements GpuCommand {}

  /** The engine's reset returned (error null) or failed. */
  record ResetFinished(Throwable error) implements GpuCommand {}

  record Checked(List<Integer> tokens, Throwable error) implements GpuCommand {}
}
