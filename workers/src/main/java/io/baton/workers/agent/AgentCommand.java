package io.baton.workers.agent;

import io.baton.actors.CborSerializable;
import io.baton.actors.session.ResumeMethod;
import io.baton.actors.session.SessionCommand;
import io.baton.actors.session.SessionState;
import io.baton.actors.worker.GpuWorkerCommand;
import io.baton.actors.worker.GpuWorkerState;
import io.baton.workers.engine.Fault;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;

/** What a {@link WorkerAgent} handles: requests from placers and operators, then its own messages. */
public sealed interface AgentCommand {

  /**
   * Asks the agent to run attempt {@code attempt} of a session on one of its GPUs. The agent
   * reserves a slot, records the placement on the session (Place), and only then answers
   * {@link Assigned}, so a placer that hears Assigned knows the session is placed.
   */
  record Assign(String gpuId, String sessionId, int attempt, ResumeMethod method, ActorRef<AssignReply> replyTo)
      implements AgentCommand, CborSerializable {}

  sealed interface AssignReply extends CborSerializable {}

  record Assigned(String gpuId, String sessionId, int attempt) implements AssignReply {}

  /**
   * The GPU cannot take the session and the placer tries its next candidate; or, when
   * {@code bySession}, the session itself refused the placement (placed elsewhere, or ended), and
   * there is nothing more to try.
   */
  record Refused(String gpuId, String sessionId, String reason, boolean bySession) implements AssignReply {}

  /** An XID as the host's kernel log reports it ({@code NVRM: Xid (PCI:...): code, ...}). */
  record ObserveXid(String gpuId, int code, String detail) implements AgentCommand, CborSerializable {}

  /** Chaos and tests: arms a simulated fault on the GPU's engine. */
  record InjectFault(String gpuId, Fault fault) implements AgentCommand {}

  record GetStatus(ActorRef<AgentStatus> replyTo) implements AgentCommand, CborSerializable {}

  /**
   * The session's entity restarted on another node (its host crashed) while this agent runs
   * {@code attempt}: the runner resends its unanswered chunk now instead of at its next ack timeout.
   */
  record SessionRecovered(String sessionId, int attempt) implements AgentCommand, CborSerializable {}

  // --- the agent's own messages -----------------------------------------------------------------

  /** A GpuWorker entity announced its state (through the cluster topic). */
  record GpuStateHeard(GpuWorkerState state) implements AgentCommand {}

  /**
   * A GpuWorker's state as fetched with each heartbeat (null when it did not answer): an
   * announcement made while this node was unreachable never arrives, so the agent compares.
   */
  record GpuStateFetched(String gpuId, GpuWorkerState state) implements AgentCommand {}

  record Registered(String gpuId, GpuWorkerCommand.Reply reply, Throwable error) implements AgentCommand {}

  record PlaceAnswered(Assign assign, SessionCommand.Reply reply, Throwable error) implements AgentCommand {}

  record StateFetched(Assign assign, SessionState state, Throwable error) implements AgentCommand {}

  /** The session's state read after its answer to Place timed out: was the placement recorded after all? */
  record UnansweredPlaceChecked(Assign assign, SessionState state, Throwable error) implements AgentCommand {}

  record RunnerReported(RunnerEvent event) implements AgentCommand {}

  record RunnerStopped(String gpuId, String sessionId, int attempt) implements AgentCommand {}

  /** Time to heartbeat and publish the GPUs' reports. */
  record Tick() implements AgentCommand {}

  /** The answer to a status change the agent asked of a GpuWorker, with what comes next if accepted. */
  record StatusAnswered(String gpuId, String what, GpuWorkerCommand.Reply reply, Throwable error, Runnable next)
      implements AgentCommand {}

  record ResetDone(String gpuId) implements AgentCommand {}

  record HealthChecked(String gpuId, List<Integer> tokens, Throwable error) implements AgentCommand {}
}
