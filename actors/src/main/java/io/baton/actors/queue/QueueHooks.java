package io.baton.actors.queue;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/** What a model's admission queue needs of the node it lives on. Each call must return at once. */
public interface QueueHooks {

  /** Feed {@code to} the load of every GPU serving {@code model}, as its node's reports arrive. */
  void watchLoads(String model, ActorContext<QueueCommand> context, ActorRef<GpuLoad> to);

  /** Tell every node the queue's state. */
  void publish(QueueSummary summary);

  /** Tell the session a GPU has room for it now. */
  void admit(String sessionId);

  /** Ask the session to give its GPU up: a hint it acts on (DESIGN.md, "Attempts: the session decides"). */
  void preempt(GpuLoad.Run run, String gpuId, String reason);
}
