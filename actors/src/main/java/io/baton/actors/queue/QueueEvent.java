package io.baton.actors.queue;

import io.baton.actors.CborSerializable;
import java.time.Instant;
import java.util.List;

/**
 * What happened to a model's admission queue. A stored schema, like every event: each is
 * round-tripped in a test.
 */
public sealed interface QueueEvent extends CborSerializable {

  /**
   * A session waits for a GPU (again: a repeat updates its entry and keeps its place).
   *
   * @param weight the tenant's weight when it queued, so a replay orders as the original did
   * @param cost the service it is charged when admitted: its remaining output bound, plus its
   *     prompt at the configured fraction on a first run
   * @param resuming it was running and lost its GPU (preempted, or a fault): it goes first within
   *     its class, since it already holds work in flight (tokens streamed, a client waiting)
   * @param queuedAt when the session first queued, kept across its retries and the queue's moves
   */
  record Enqueued(String sessionId, String tenant, double weight, int rank, long cost, boolean resuming,
      Instant queuedAt, Instant at) implements QueueEvent {}

  /** These sessions, in this order, were told a GPU has room; each tenant is charged their cost. */
  record Admitted(List<String> sessionIds, Instant at) implements QueueEvent {
    public Admitted {
      sessionIds = List.copyOf(sessionIds);
    }
  }

  /** A waiting session left without being admitted: it ended, or found a GPU on its own. */
  record Left(String sessionId, String why, Instant at) implements QueueEvent {}
}
