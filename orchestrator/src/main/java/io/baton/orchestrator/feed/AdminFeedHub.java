package io.baton.orchestrator.feed;

import io.baton.actors.CborSerializable;
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
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;

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

  /** Another node's hub asks for this one's history: how a node that just started fills its gap. */
  public record GetHistory(ActorRef<History> replyTo) implements Command, CborSerializable {}

  public record History(List<FeedEntry> entries) implements Command, CborSerializable {}

  private record HubsListed(Receptionist.Listing listing) implements Command {}

  /** Every node's hub, so that a new one can ask an older one for the history it missed. */
  public static final ServiceKey<Command> KEY = ServiceKey.create(Command.class, "baton-admin-feed-hub");

  private static final int HISTORY_PAGE = 500;

  private final OrchestratorSettings.Feed settings;
  private final Deque<FeedEntry> history = new ArrayDeque<>();
  /** Ids in {@code history}: the topic may deliver an entry twice after a partition heals. */
  private final Set<String> ids = new HashSet<>();
  private final Set<ActorRef<FeedEntry>> followers = new HashSet<>();
  private final LinkedHashMap<String, RecentSession> sessions = new LinkedHashMap<>();
  private final Map<String, FeedEvent.PoolLevel> pools = new TreeMap<>();
  private FeedEntry lastDowning;
  /** Whether this hub has asked a peer for the history it missed (once, when it first sees one). */
  private boolean filled;

  private AdminFeedHub(ActorContext<Command> context, OrchestratorSettings.Feed settings) {
    super(context);
    this.settings = settings;
  }

  public static Behavior<Command> create(OrchestratorSettings.Feed settings, ActorRef<Topic.Command<FeedEntry>> topic) {
    return Behaviors.setup(ctx -> {
      topic.tell(Topic.subscribe(ctx.messageAdapter(FeedEntry.class, Heard::new)));
      ctx.getSystem().receptionist().tell(Receptionist.register(KEY, ctx.getSelf()));
      ctx.getSystem().receptionist().tell(Receptionist.subscribe(KEY,
          ctx.messageAdapter(Receptionist.Listing.class, HubsListed::new)));
      return new AdminFeedHub(ctx, settings);
    });
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Heard.class, m -> heard(m.entry()))
        .onMessage(Follow.class, this::follow)
        .onMessage(HubsListed.class, this::askPeer)
        .onMessage(GetHistory.class, m -> {
          // In pages, each well inside Artery's frame (an entry is a few hundred bytes).
          List<FeedEntry> all = List.copyOf(history);
          for (int from = 0; from < all.size(); from += HISTORY_PAGE) {
            m.replyTo().tell(new History(all.subList(from, Math.min(all.size(), from + HISTORY_PAGE))));
          }
          return this;
        })
        .onMessage(History.class, this::fill)
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
    trim();
    followers.forEach(f -> f.tell(entry));
    remember(entry);
    return this;
  }

  private void trim() {
    Instant oldest = history.peekLast().at().minus(settings.historyAge());
    while (history.size() > settings.history() || history.peekFirst().at().isBefore(oldest)) {
      ids.remove(history.removeFirst().id());
    }
  }

  private Behavior<Command> askPeer(HubsListed m) {
    if (!filled) {
      m.listing().getServiceInstances(KEY).stream().filter(hub -> !hub.equals(getContext().getSelf())).findFirst()
          .ifPresent(peer -> {
            filled = true;
            peer.tell(new GetHistory(getContext().getSelf().narrow()));
          });
    }
    return this;
  }

  /**
   * A peer's history, from before this node heard the topic: merged in time order. Followers that
   * connected in between do not get these older entries; one that reconnects does.
   */
  private Behavior<Command> fill(History peer) {
    List<FeedEntry> missed = peer.entries().stream().filter(e -> !ids.contains(e.id())).toList();
    if (missed.isEmpty()) {
      return this;
    }
    List<FeedEntry> merged = new ArrayList<>(history);
    merged.addAll(missed);
    merged.sort(Comparator.comparing(FeedEntry::at).thenComparing(FeedEntry::id));
    history.clear();
    history.addAll(merged);
    missed.forEach(e -> ids.add(e.id()));
    trim();
    // The rows of the sessions in the history are rebuilt in order: each ends as its latest entry says.
    history.forEach(e -> {
      String session = RecentSession.sessionOf(e.event());
      if (session != null) {
        sessions.remove(session);
      }
    });
    history.forEach(this::remember);
    getContext().getLog().debug("event=admin-feed-filled entries={} from a peer's history", missed.size());
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
