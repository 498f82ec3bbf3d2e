package io.baton.http.console;

import io.baton.actors.feed.FeedEntry;
import io.baton.actors.feed.FeedEvent;
import io.baton.actors.feed.RecentSession;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.javadsl.Source;

/** What the console's endpoints read from the node: its copy of the cluster-wide admin feed. */
public interface ConsoleData {

  /** The feed's history after {@code lastEventId} (all of it when empty), then every new entry. */
  Source<FeedEntry, NotUsed> follow(Optional<String> lastEventId);

  /** Recent sessions as the feed told them, the most recently changed first. */
  CompletionStage<List<RecentSession>> sessions();

  /** Each model's active pool against its target, as the fleet controller last published it. */
  CompletionStage<List<FeedEvent.PoolLevel>> pools();

  /** The last downing of a cluster member the feed carried, if any. */
  CompletionStage<Optional<FeedEntry>> lastDowning();
}
