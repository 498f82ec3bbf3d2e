package io.baton.orchestrator.feed;

import io.baton.actors.feed.FeedEntry;
import io.baton.actors.feed.FeedEvent;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.pubsub.Topic;

/**
 * Publishes admin feed events to the cluster-wide feed topic, stamped here with this node's id, so
 * every node's feed holds the same entry under the same id. Only {@code tell}s: safe to call from an
 * entity's thread.
 */
public final class FeedPublisher {
  private final String nodeId;
  private final ActorRef<Topic.Command<FeedEntry>> topic;

  private FeedPublisher(String nodeId, ActorRef<Topic.Command<FeedEntry>> topic) {
    this.nodeId = nodeId;
    this.topic = topic;
  }

  public static FeedPublisher start(ActorSystem<?> system, String nodeId) {
    return new FeedPublisher(nodeId,
        system.systemActorOf(Topic.create(FeedEntry.class, FeedEntry.TOPIC), "admin-feed-topic", Props.empty()));
  }

  public ActorRef<Topic.Command<FeedEntry>> topic() {
    return topic;
  }

  public void publish(FeedEvent event) {
    topic.tell(Topic.publish(FeedEntry.of(nodeId, event)));
  }

  public void publishAll(List<FeedEvent> events) {
    events.forEach(this::publish);
  }
}
