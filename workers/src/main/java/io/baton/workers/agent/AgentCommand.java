package io.baton.workers.agent;

import io.baton.actors.CborSerializable;
import io.baton.actors.session.Grant;
import io.baton.actors.worker.GpuWorkerCommand;
import io.baton.actors.worker.GpuWorkerState;
import io.baton.workers.engine.Fault;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;

/** What a {@link WorkerAgent} handles: grants from sessions, requests from operators, then its own messages. */
public sealed interface AgentCommand {

  /** A session granted this agent an attempt on one of its GPUs (through the agent's grants actor). */
  record Granted(Grant grant) implements AgentCommand {}

  /** An XID as the host's kernel log reports it ({@code NVRM: Xid (PCI:...): code, ...}). */
  record ObserveXid(String gpuId, int code, String detail) implements AgentCommand, CborSerializable {}

  /**
   * The host's kernel-log watcher on its XID signal and the GPUs' NVIDIA identities (by GPU id), sent
   * whenever either changes: the agent reports both with its GPUs, for /admin/workers.
   */
  record HostObserved(XidSignal signal, Map<String, GpuIdentity> identities) implements AgentCommand {}

  /** Chaos and tests: arms a simulated fault on the GPU's engine. */
  record InjectFault(String gpuId, Fault fault) implements AgentCommand {}

  record GetStatus(ActorRef<AgentStatus> replyTo) implements AgentCommand, CborSerializable {}

  /**
   * The session's entity restarted on another node (its host crashed or its shard moved) and found
   * this attempt running: the runner resends what is unacknowledged now, instead of at its next ack
   * timeout, since what it sent meanwhile went to the old host.
   */
  record SessionMoved(String gpuId, String sessionId, int attempt) implements AgentCommand, CborSerializable {}

  // --- the agent's own messages -----------------------------------------------------------------

  /** A GpuWorker entity announced its state (through the cluster topic). */
  record GpuStateHeard(GpuWorkerState state) implements AgentCommand {}

  /**
   * A GpuWorker's state as fetched with each heartbeat (null when it did not answer): an
   * announcement made while this node was unreachable never arrives, so the agent compares.
   */
  record GpuStateFetched(String gpuId, GpuWorkerState state) implements AgentCommand {}

  record Registered(String gpuId, GpuWorkerCommand.Reply reply, Throwable error) implements AgentCommand {}

  record RunnerReported(RunnerEvent event) implements AgentCommand {}

  record RunnerStopped(String gpuId, String sessionId, int attempt) implements AgentCommand {}

  /** Time to heartbeat and publish the GPUs' reports. */
  record Tick() implements AgentCommand {}

  /** The answer to a status change the agent asked of a GpuWorker, with what comes next if accepted. */
  record StatusAnswered(String gpuId, String what, GpuWorkerCommand.Reply reply, Throwable error, Runnable next)
      implements AgentCommand {}

  record ResetDone(String gpuId) implements AgentCommand {}

  /** The liveness probe's answer for one GPU's engine. */
  record EngineProbed(String gpuId, boolean healthy) implements AgentCommand {}

  record HealthChecked(String gpuId, List<Integer> tokens, Throwable error) implements AgentCommand {}
}
