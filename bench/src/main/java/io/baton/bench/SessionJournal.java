package io.baton.bench;

import io.baton.actors.session.Session;
import io.baton.actors.session.SessionEvent;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.cassandra.query.javadsl.CassandraReadJournal;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * A failover's steps as the session journaled them. Each event carries the instant its command was
 * handled, on the same clock as the bench, so the gaps between them split a measured failover into
 * parts without instrumenting the node.
 */
final class SessionJournal {
  /**
   * @param failed the session failed the first attempt (the XID's hint or the runner's own report
   *     reached it)
   * @param placed the session placed the second attempt (AttemptFailed persisted, the placer's offer
   *     came back)
   * @param appended the session handled the second attempt's first chunk (Placed persisted, the grant
   *     reached the agent, the runner fetched the KV blocks, the engine imported and prefilled, one
   *     decode step)
   */
  record Failover(Instant failed, Instant placed, Instant appended) {}

  private final ActorSystem<?> system;
  private final CassandraReadJournal journal;

  SessionJournal(ActorSystem<?> system) {
    this.system = system;
    this.journal = PersistenceQuery.get(system.classicSystem())
        .getReadJournalFor(CassandraReadJournal.class, CassandraReadJournal.Identifier());
  }

  Failover failover(String sessionId) throws Exception {
    String pid = PersistenceId.of(Session.ENTITY_KEY.name(), sessionId).id();
    List<EventEnvelope> events = journal.currentEventsByPersistenceId(pid, 0L, Long.MAX_VALUE)
        .runWith(Sink.seq(), system).toCompletableFuture().get(30, TimeUnit.SECONDS);
    Instant failed = null;
    Instant placed = null;
    Instant appended = null;
    for (EventEnvelope e : events) {
      Object event = e.event();
      if (event instanceof SessionEvent.AttemptFailed f && f.attempt() == 1 && failed == null) {
        failed = f.at();
      } else if (event instanceof SessionEvent.Placed p && p.attempt() == 2) {
        placed = p.at();
      } else if (event instanceof SessionEvent.TokensAppended t && t.attempt() == 2 && appended == null) {
        appended = t.at();
      }
    }
    if (failed == null || placed == null || appended == null) {
      throw new IllegalStateException("session " + sessionId + " journal lacks a failover: " + events.size() + " events");
    }
    return new Failover(failed, placed, appended);
  }
}
