package io.baton.orchestrator.feed;

import io.baton.actors.feed.FeedEntry;
import io.baton.actors.feed.FeedEvent;
import io.baton.actors.feed.RecentSession;
import io.baton.orchestrator.OrchestratorSettings;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.pubsub.Topic;

/**
 * This node's copy of the cluster-wide admin feed: it hears every node's entries on the feed topic,
 * keeps the recent history (what a console sees when it connects, and where {@code Last-Event-ID}
 * resumes), and hands new entries to each open feed. From the same entries it keeps what the
 * console lists: recent sessions, each model's pool level and the last downing.
 */
public final class AdminFeedHub extends AbstractBehavior<AdminFeedHub.Command> {

  public sealed interface Command {}

  /** Send {@code to} the history after {@code lastEventId} (all of it when empty), then every new entry. */
  public record Follow(ActorRef<FeedEntry> to, Optional<String> lastEventId) implements Command {}

  public record GetSessions(ActorRef<List<RecentSession>> replyTo) implements Command {}

  public record GetPools(ActorRef<List<FeedEvent.PoolLevel>> replyTo) implements Command {}

  public record GetLastDowning(ActorRef<Optional<FeedEntry>> replyTo) implements Command {}

  private record Heard(FeedEntry entry) implements Command {}

  private final OrchestratorSettings.Feed settings;
  private final Deque<FeedEntry> history = new ArrayDeque<>();
  /** Ids in {@code history}: the topic may deliver an entry twice after a partition heals. */
  private final Set<String> ids = new HashSet<>();
  private final Set<ActorRef<FeedEntry>> followers = new HashSet<>();
  private final LinkedHashMap<String, RecentSession> sessions = new LinkedHashMap<>();
  private final Map<String, FeedEvent.PoolLevel> pools = new TreeMap<>();
  private FeedEntry lastDowning;

  private AdminFeedHub(ActorContext<Command> context, OrchestratorSettings.Feed settings) {
    super(context);
    this.settings = settings;
  }

  public static Behavior<Command> create(OrchestratorSettings.Feed settings, ActorRef<Topic.Command<FeedEntry>> topic) {
    return Behaviors.setup(ctx -> {
      topic.tell(Topic.subscribe(ctx.messageAdapter(FeedEntry.class, Heard::new)));
      return new AdminFeedHub(ctx, settings);
    });
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Heard.class, m -> heard(m.entry()))
        .onMessage(Follow.class, this::follow)
        .onMessage(GetSessions.class, m -> {
          List<RecentSession> rows = new ArrayList<>(sessions.values());
          rows.sort(Comparator.comparing(RecentSession::updatedAt).reversed());
          m.replyTo().tell(List.copyOf(rows));
          return this;
        })
        .onMessage(GetPools.class, m -> {
          m.replyTo().tell(List.copyOf(pools.values()));
          return this;
        })
        .onMessage(GetLastDowning.class, m -> {
          m.replyTo().tell(Optional.ofNullable(lastDowning));
          return this;
        })
        .onSignal(Terminated.class, t -> {
          followers.remove(t.getRef().<FeedEntry>unsafeUpcast());
          return this;
        })
        .build();
  }

  private Behavior<Command> heard(FeedEntry entry) {
    if (!ids.add(entry.id())) {
      return this;
    }
    history.addLast(entry);
    Instant oldest = entry.at().minus(settings.historyAge());
    while (history.size() > settings.history() || history.peekFirst().at().isBefore(oldest)) {
      ids.remove(history.removeFirst().id());
    }
    followers.forEach(f -> f.tell(entry));
    remember(entry);
    return this;
  }

  private void remember(FeedEntry entry) {
    FeedEvent e = entry.event();
    String session = RecentSession.sessionOf(e);
    if (session != null) {
      RecentSession row = RecentSession.after(sessions.remove(session), entry);
      sessions.put(session, row); // re-inserted: the map's order is the order of last change
      while (sessions.size() > settings.recentSessions()) {
        sessions.remove(sessions.keySet().iterator().next());
      }
    } else if (e instanceof FeedEvent.PoolLevel p) {
      pools.put(p.model(), p);
    } else if (e instanceof FeedEvent.MemberChanged m && m.change().equals("downed")) {
      lastDowning = entry;
    }
  }

  /**
   * History first, then live, from this actor: nothing is missed or repeated between the two. An id
   * this node does not hold (it rolled off, or was given by another node before this one heard it)
   * resumes from that id's time, and the client drops what it already has by id.
   */
  private Behavior<Command> follow(Follow m) {
    String last = m.lastEventId().map(String::trim).orElse("");
    boolean after = last.isEmpty() || !ids.contains(last);
    long since = last.isEmpty() ? -1 : FeedEntry.millisOf(last);
    for (FeedEntry e : history) {
      if (after && (since < 0 || e.at().toEpochMilli() >= since) && !e.id().equals(last)) {
        m.to().tell(e);
      }
      if (!after && e.id().equals(last)) {
        after = true;
      }
    }
    followers.add(m.to());
    getContext().watch(m.to());
    return this;
  }
}
