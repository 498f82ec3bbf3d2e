package io.baton.orchestrator.feed;

import io.baton.actors.feed.FeedEntry;
import io.baton.actors.feed.FeedEvent;
import io.baton.actors.feed.RecentSession;
import io.baton.http.console.ConsoleData;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.typed.javadsl.ActorSource;

/** The console's view of this node's {@link AdminFeedHub}. */
public final class NodeConsoleData implements ConsoleData {
  private static final Duration ASK_TIMEOUT = Duration.ofSeconds(3);
  /**
   * Entries a feed holds for a slow client. Beyond it the feed ends and the client reconnects with
   * Last-Event-ID: a console that cannot keep up must not hold the node's memory.
   */
  private static final int CLIENT_BUFFER = 20_000;

  private final ActorSystem<?> system;
  private final ActorRef<AdminFeedHub.Command> hub;

  public NodeConsoleData(ActorSystem<?> system, ActorRef<AdminFeedHub.Command> hub) {
    this.system = system;
    this.hub = hub;
  }

  @Override
  public Source<FeedEntry, NotUsed> follow(Optional<String> lastEventId) {
    return ActorSource.<FeedEntry>actorRef(m -> false, m -> Optional.empty(), CLIENT_BUFFER, OverflowStrategy.fail())
        .mapMaterializedValue(ref -> {
          hub.tell(new AdminFeedHub.Follow(ref, lastEventId));
          return NotUsed.getInstance();
        });
  }

  @Override
  public CompletionStage<List<RecentSession>> sessions() {
    return AskPattern.ask(hub, AdminFeedHub.GetSessions::new, ASK_TIMEOUT, system.scheduler());
  }

  @Override
  public CompletionStage<List<FeedEvent.PoolLevel>> pools() {
    return AskPattern.ask(hub, AdminFeedHub.GetPools::new, ASK_TIMEOUT, system.scheduler());
  }

  @Override
  public CompletionStage<Optional<FeedEntry>> lastDowning() {
    return AskPattern.ask(hub, AdminFeedHub.GetLastDowning::new, ASK_TIMEOUT, system.scheduler());
  }
}
