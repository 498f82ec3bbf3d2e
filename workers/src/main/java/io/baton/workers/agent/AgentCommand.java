package io.baton.workers.agent;

import io.baton.actors.CborSerializable;
import io.baton.actors.session.FailureCause;
import io.baton.actors.worker.GpuWorkerState;
import io.baton.workers.engine.Fault;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * What a {@link WorkerAgent} handles: requests for its GPUs from operators, the host's watcher and
 * the fleet, each routed to that GPU's keeper; then its own messages. Grants go to the keepers directly.
 */
public sealed interface AgentCommand {

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

  /**
   * The model's admission queue needs this GPU place for more urgent work: the run stops now and
   * its session is hinted PREEMPTED (it decides; a hint for an attempt that already ended is
   * ignored there), so the place is free at once rather than at the run's next chunk.
   */
  record Preempt(String gpuId, String sessionId, int attempt, String reason)
      implements AgentCommand, CborSerializable {}

  // --- the agent's own messages -----------------------------------------------------------------

  /** A GpuWorker entity announced its state (through the cluster topic). */
  record GpuStateHeard(GpuWorkerState state) implements AgentCommand {}

  /** A GPU of {@code hostId} raised a node-fatal XID: every GPU of that host leaves rotation. */
  record HostDown(String hostId, String reason, FailureCause cause) implements AgentCommand {}
}
