package io.baton.orchestrator.feed;

import com.typesafe.config.Config;
import io.baton.orchestrator.OrchestratorSettings;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;

/**
 * One node's part of the admin event feed: the publisher its entities and singletons stamp entries
 * with, its copy of the feed (history and followers), and the cluster membership publisher.
 */
public record NodeFeed(FeedPublisher publisher, NodeConsoleData console) {

  /** Before the node joins, so that its own Up is heard. */
  public static NodeFeed start(ActorSystem<?> system, Config config) {
    OrchestratorSettings settings = OrchestratorSettings.fromConfig(config);
    FeedPublisher publisher = FeedPublisher.start(system, settings.nodeId());
    ActorRef<AdminFeedHub.Command> hub = system.systemActorOf(
        AdminFeedHub.create(settings.feed(), publisher.topic()), "admin-feed", Props.empty());
    system.systemActorOf(MemberFeed.create(publisher,
        config.getString("pekko.cluster.split-brain-resolver.active-strategy")), "admin-feed-members", Props.empty());
    return new NodeFeed(publisher, new NodeConsoleData(system, hub));
  }
}
