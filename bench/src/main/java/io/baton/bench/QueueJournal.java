package io.baton.bench;

import io.baton.actors.queue.AdmissionQueue;
import io.baton.actors.queue.QueueEvent;
import io.baton.actors.session.FailureCause;
import io.baton.actors.session.Session;
import io.baton.actors.session.SessionEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.cassandra.query.javadsl.CassandraReadJournal;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * What the fairness bench reads back from the journals, so it measures the node without
 * instrumenting it: when the model's queue admitted each session, when each session was placed,
 * and how many tokens each resume after a preemption computed again. Events carry the instant their
 * command was handled, on the bench's own clock.
 */
final class QueueJournal {
  /** A session resumed after a preemption: the context it resumed with and what its prefill reused. */
  record Resume(String sessionId, int context, int reused) {
    int recomputed() {
      return context - reused;
    }
  }

  private final ActorSystem<?> system;
  private final CassandraReadJournal journal;

  QueueJournal(ActorSystem<?> system) {
    this.system = system;
    this.journal = PersistenceQuery.get(system.classicSystem())
        .getReadJournalFor(CassandraReadJournal.class, CassandraReadJournal.Identifier());
  }

  /** When the model's queue admitted each session (its latest admission). */
  Map<String, Instant> admissions(String model) throws Exception {
    Map<String, Instant> out = new HashMap<>();
    for (EventEnvelope e : events(PersistenceId.of(AdmissionQueue.ENTITY_KEY.name(), model).id())) {
      if (e.event() instanceof QueueEvent.Admitted a) {
        a.sessionIds().forEach(id -> out.put(id, a.at()));
      }
    }
    return out;
  }

  /** How many times the queue admitted and enqueued sessions, repeats included: for diagnosis. */
  String counts(String model) throws Exception {
    int admitted = 0;
    int enqueued = 0;
    for (EventEnvelope e : events(PersistenceId.of(AdmissionQueue.ENTITY_KEY.name(), model).id())) {
      if (e.event() instanceof QueueEvent.Admitted a) {
        admitted += a.sessionIds().size();
      } else if (e.event() instanceof QueueEvent.Enqueued) {
        enqueued++;
      }
    }
    return "admissions " + admitted + ", enqueued " + enqueued;
  }

  /** The session's events, in order. */
  List<SessionEvent> session(String sessionId) throws Exception {
    List<SessionEvent> out = new ArrayList<>();
    for (EventEnvelope e : events(PersistenceId.of(Session.ENTITY_KEY.name(), sessionId).id())) {
      out.add((SessionEvent) e.event());
    }
    return out;
  }

  /** From the queue's admission to the session's placement, for each placement that followed one. */
  static List<Duration> handoffs(Map<String, Instant> admitted, Map<String, List<SessionEvent>> sessions) {
    List<Duration> out = new ArrayList<>();
    admitted.forEach((id, at) -> sessions.getOrDefault(id, List.of()).stream()
        .filter(e -> e instanceof SessionEvent.Placed p && !p.at().isBefore(at)).findFirst()
        .ifPresent(p -> out.add(Duration.between(at, ((SessionEvent.Placed) p).at()))));
    return out;
  }

  /** Every resume after a preemption in the session's history. */
  static List<Resume> resumes(String sessionId, int promptTokens, List<SessionEvent> events) {
    List<Resume> out = new ArrayList<>();
    boolean preempted = false;
    int context = 0;
    for (SessionEvent e : events) {
      if (e instanceof SessionEvent.AttemptFailed f) {
        preempted = f.cause().kind() == FailureCause.Kind.PREEMPTED;
      } else if (e instanceof SessionEvent.Placed p && preempted) {
        context = promptTokens + p.resumeFrom();
      } else if (e instanceof SessionEvent.TokensAppended t && preempted && t.fromIndex() > 0
          && t.fromIndex() + promptTokens == context) {
        out.add(new Resume(sessionId, context, t.reusedTokens()));
        preempted = false;
      }
    }
    return out;
  }

  private List<EventEnvelope> events(String persistenceId) throws Exception {
    return journal.currentEventsByPersistenceId(persistenceId, 0L, Long.MAX_VALUE)
        .runWith(Sink.seq(), system).toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
