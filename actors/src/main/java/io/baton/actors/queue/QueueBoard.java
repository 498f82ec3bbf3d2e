package io.baton.actors.queue;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;

/**
 * The latest summary of every model's admission queue, as this node heard it on the queues'
 * topic. One actor writes it ({@link #feeder}); the placer, the API's admission and the admin
 * routes read it. A summary older than the stale bound reads as absent: its queue may be moving to
 * another node, and until it is back placement goes on as if there were no queue.
 */
public final class QueueBoard {
  private final Map<String, QueueSummary> latest = new ConcurrentHashMap<>();
  private final Duration staleAfter;

  public QueueBoard(Duration staleAfter) {
    this.staleAfter = staleAfter;
  }

  /** The model's queue as last heard, if that was recent. */
  public Optional<QueueSummary> fresh(String model) {
    return Optional.ofNullable(latest.get(model))
        .filter(s -> !s.at().plus(staleAfter).isBefore(Instant.now()));
  }

  /** Every queue heard of, stale or not, by model. */
  public List<QueueSummary> all() {
    return latest.values().stream().sorted(Comparator.comparing(QueueSummary::model)).toList();
  }

  void heard(QueueSummary s) {
    // A queue that just moved nodes may still have an older incarnation's last word in flight.
    latest.merge(s.model(), s, (old, now) -> now.at().isBefore(old.at()) ? old : now);
  }

  /** Subscribes to the queues' topic and keeps {@code board} current; {@code onEach} sees each summary. */
  public static Behavior<QueueSummary> feeder(QueueBoard board, ActorRef<Topic.Command<QueueSummary>> topic,
      Consumer<QueueSummary> onEach) {
    return Behaviors.setup(ctx -> {
      topic.tell(Topic.subscribe(ctx.getSelf()));
      return Behaviors.receiveMessage(s -> {
        board.heard(s);
        onEach.accept(s);
        return Behaviors.same();
      });
    });
  }
}
