package io.baton.actors.worker;

import io.baton.actors.CborSerializable;
import io.baton.actors.Rejection;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * What can be asked of a GPU worker. Every command gets a reply; a rejected one persists nothing.
 * {@code by} names who asks: an operator, "fleet-controller", or the worker agent.
 */
public sealed interface GpuWorkerCommand extends CborSerializable {

  /** A command that may change the worker; each is answered with a {@link Reply}. */
  sealed interface Mutation extends GpuWorkerCommand {
    ActorRef<Reply> replyTo();
  }

  /**
   * A move between statuses. The reason is required: it is what an operator reads to learn why a
   * GPU is out of rotation. Which statuses each move leaves from is in {@link GpuWorkerRules}.
   */
  sealed interface ChangeStatus extends Mutation {
    String by();

    String reason();
  }

  /**
   * Creates the worker in the given pool. An agent re-registers after every restart, so repeating
   * it with the same GPU is acknowledged; the pool it asks for is then ignored, because the
   * fleet's memory, not the agent's configuration, decides where a known GPU stands.
   */
  record Register(GpuSpec gpu, Pool pool, String by, ActorRef<Reply> replyTo) implements Mutation {}

  /** Proof of life from the worker agent; see {@link GpuWorker} for why few are journaled. */
  record Heartbeat(ActorRef<Reply> replyTo) implements Mutation {}

  /** An XID the agent saw; the entity records it with its class and leaves the response to the fleet. */
  record RecordXid(int code, String detail, String by, ActorRef<Reply> replyTo) implements Mutation {}

  /** Takes the GPU out of rotation. Cordoning a cordoned GPU keeps the first reason. */
  record Cordon(String by, String reason, ActorRef<Reply> replyTo) implements ChangeStatus {}

  /** Returns a cordoned or suspect GPU to service, as a spare. */
  record Uncordon(String by, String reason, ActorRef<Reply> replyTo) implements ChangeStatus {}

  /** Stops new placements on an active GPU while its sessions finish or move. */
  record Drain(String by, String reason, ActorRef<Reply> replyTo) implements ChangeStatus {}

  /** Missed heartbeats or a lost lease: the GPU may be hung. */
  record MarkSuspect(String by, String reason, ActorRef<Reply> replyTo) implements ChangeStatus {}

  record StartReset(String by, String reason, ActorRef<Reply> replyTo) implements ChangeStatus {}

  /** The outcome of an active health check: a short generation compared with its expected output. */
  record ReportHealthCheck(boolean passed, String by, String reason, ActorRef<Reply> replyTo)
      implements ChangeStatus {}

  /**
   * The reset of a GPU under reset failed or timed out (the reset command exited non-zero, or the
   * engine never answered again): the GPU is retired at once, with the reason. A reset that cannot
   * complete leaves nothing for a health check to judge.
   */
  record ReportResetFailed(String by, String reason, ActorRef<Reply> replyTo) implements ChangeStatus {}

  /** Moves a spare into the active pool, usually to replace a GPU that left rotation. */
  record Promote(String by, String reason, ActorRef<Reply> replyTo) implements ChangeStatus {}

  /** Moves an active (or drained) GPU to the spare pool. */
  record Demote(String by, String reason, ActorRef<Reply> replyTo) implements ChangeStatus {}

  /**
   * The worker's state. Its {@code lastHeartbeatAt} is the latest heartbeat the entity has seen
   * since it last started (a journal-failure restart does not count), which may be newer than the
   * journaled one.
   */
  record GetState(ActorRef<GpuWorkerState> replyTo) implements GpuWorkerCommand {}

  /** The answer to a command that may change the worker. */
  sealed interface Reply extends CborSerializable {}

  /** The command took effect, or had already taken effect (an idempotent retry). */
  record Accepted(GpuStatus status) implements Reply {}

  record Rejected(Rejection rejection) implements Reply {}
}
