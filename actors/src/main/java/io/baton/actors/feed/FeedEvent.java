package io.baton.actors.feed;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.List;

/**
 * What the admin event feed ({@code GET /admin/events}) tells an operator: what changed in the
 * fleet, the sessions, the queues and the cluster. Each is published once, by the part that owns
 * the change (a GPU's entity, a session's entity, the fleet controller, the cluster leader), and
 * travels in a {@link FeedEntry}. The {@code type} names are the feed's wire format.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = FeedEvent.GpuStateChanged.class, name = "gpu.state"),
    @JsonSubTypes.Type(value = FeedEvent.SparePromoted.class, name = "gpu.promoted"),
    @JsonSubTypes.Type(value = FeedEvent.XidObserved.class, name = "gpu.xid"),
    @JsonSubTypes.Type(value = FeedEvent.PoolLevel.class, name = "pool.level"),
    @JsonSubTypes.Type(value = FeedEvent.SessionSubmitted.class, name = "session.submitted"),
    @JsonSubTypes.Type(value = FeedEvent.AttemptPlaced.class, name = "attempt.placed"),
    @JsonSubTypes.Type(value = FeedEvent.AttemptFailed.class, name = "attempt.failed"),
    @JsonSubTypes.Type(value = FeedEvent.SessionEnded.class, name = "session.ended"),
    @JsonSubTypes.Type(value = FeedEvent.BatchProgress.class, name = "batch.progress"),
    @JsonSubTypes.Type(value = FeedEvent.QueueChanged.class, name = "queue.changed"),
    @JsonSubTypes.Type(value = FeedEvent.MemberChanged.class, name = "node.member")})
public sealed interface FeedEvent {

  /** An event about one session: the console's session list is kept from these. */
  sealed interface OfSession extends FeedEvent {
    String session();

    String tenant();

    String model();
  }

  /** A GPU left or entered a state: who moved it and why ({@code change} is the GPU's event, e.g. cordoned). */
  record GpuStateChanged(String gpu, String node, String host, String model, String from, String to,
      String change, String by, String reason) implements FeedEvent {}

  /** The fleet controller promoted a spare into the active pool. */
  record SparePromoted(String gpu, String node, String host, String model, String by, String reason)
      implements FeedEvent {}

  /** A GPU reported an XID: its class says what Baton does about it. */
  record XidObserved(String gpu, String node, String model, int code, String xidClass, String action,
      String detail, String by) implements FeedEvent {}

  /** A model's active pool against its target, and its live spares, as the fleet controller counts them. */
  record PoolLevel(String model, int target, int active, int spares) implements FeedEvent {}

  record SessionSubmitted(String session, String tenant, String model, String serviceClass, String batch)
      implements OfSession {}

  /**
   * An attempt placed on a GPU. {@code restored} tokens came back from KV blocks, {@code recomputed}
   * were prefilled again; both are 0 for a fresh attempt.
   */
  record AttemptPlaced(String session, String tenant, String model, int attempt, String gpu, String method,
      int resumeFrom, int restored, int recomputed) implements OfSession {}

  record AttemptFailed(String session, String tenant, String model, int attempt, String gpu, String cause,
      String xidClass, String detail, int tokens) implements OfSession {}

  record SessionEnded(String session, String tenant, String model, String status, int tokens, int attempts,
      String detail) implements OfSession {}

  record BatchProgress(String batch, String status, int total, int completed, int failed) implements FeedEvent {}

  /** A model's admission queue: how many wait, by class, after a change. */
  record QueueChanged(String model, int waiting, List<Integer> waitingByRank) implements FeedEvent {}

  /** A cluster member changed (up, unreachable, reachable, downed, removed, left), as the leader saw it. */
  record MemberChanged(String address, String change, String status, List<String> roles, String detail)
      implements FeedEvent {}
}
