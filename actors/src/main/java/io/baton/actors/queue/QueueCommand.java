package io.baton.actors.queue;

import io.baton.actors.CborSerializable;
import java.time.Instant;

/** What a model's admission queue is told. Sessions only tell it; nothing waits on an answer. */
public sealed interface QueueCommand extends CborSerializable {

  /**
   * The session found no GPU with room (or gave its GPU up): it waits. Sent again every placement
   * retry while it waits, so a queue that lost it, or moved nodes, hears of it again with the same
   * {@code queuedAt} and keeps its place.
   */
  record Wait(String model, String sessionId, String tenant, int rank, long cost, boolean resuming,
      Instant queuedAt) implements QueueCommand {}

  /** The session stopped waiting: it ended, or a GPU took it without the queue. */
  record Leave(String model, String sessionId, String why) implements QueueCommand {}

  /** A GPU's load, as its node's reports showed it. Sent by the queue's own node. */
  record LoadHeard(GpuLoad load) implements QueueCommand {}

  /** The queue's own timer: forget what went stale, admit, and publish the summary. */
  record Tick() implements QueueCommand {}
}
