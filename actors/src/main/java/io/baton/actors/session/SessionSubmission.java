package io.baton.actors.session;

import io.baton.actors.Rejection;
import io.baton.actors.session.SessionCommand.Accepted;
import io.baton.actors.session.SessionCommand.Candidate;
import io.baton.actors.session.SessionCommand.Rejected;
import io.baton.actors.session.SessionCommand.Reply;
import io.baton.actors.session.SessionCommand.Submit;
import io.baton.actors.session.SessionEvent.Submitted;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.typed.javadsl.EffectFactories;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;

/**
 * How a new session is recorded. With a placer on the node it first asks for an offer, so that
 * Submitted and Placed go to the journal in one write; the reply (and with it the client's response
 * headers) waits for that write only. A retry of the same Submit meanwhile waits for the same write.
 * What waits lives only in memory: a lost incarnation leaves nothing written, and the client's
 * retry starts over.
 */
final class SessionSubmission {
  /** The Submitted event a new session will write, and who waits for it (the first Submit and its retries). */
  private record Waiting(Submitted event, List<ActorRef<Reply>> replyTo) {
    Waiting and(ActorRef<Reply> another) {
      List<ActorRef<Reply>> all = new ArrayList<>(replyTo);
      all.add(another);
      return new Waiting(event, List.copyOf(all));
    }
  }

  private final String sessionId;
  private final EffectFactories<SessionEvent, SessionState> effect;
  private final SessionHooks hooks;
  private final SessionWatch watch;
  private final SessionOutbox outbox;
  private final SessionAttempts attempts;
  private final SessionQueueing queueing;
  private Waiting waiting;

  SessionSubmission(String sessionId, EffectFactories<SessionEvent, SessionState> effect, SessionHooks hooks,
      SessionWatch watch, SessionOutbox outbox, SessionAttempts attempts, SessionQueueing queueing) {
    this.queueing = queueing;
    this.sessionId = sessionId;
    this.effect = effect;
    this.hooks = hooks;
    this.watch = watch;
    this.outbox = outbox;
    this.attempts = attempts;
  }

  /** Whether an offer for the first attempt is what a waiting submission needs. */
  boolean awaitsOffer() {
    return waiting != null;
  }

  ReplyEffect<SessionEvent, SessionState> submit(SessionState empty, Submit c) {
    if (waiting != null) {
      if (!waiting.event().spec().equals(c.spec())) {
        return effect.reply(c.replyTo(), new Rejected(Rejection.of(Rejection.Reason.ALREADY_EXISTS,
            "session " + sessionId + " exists with another spec")));
      }
      waiting = waiting.and(c.replyTo());
      return effect.noReply();
    }
    Submitted submitted = new Submitted(sessionId, c.spec(), Instant.now());
    waiting = new Waiting(submitted, List.of(c.replyTo()));
    if (!hooks.placesOnSubmit()) {
      return offered(empty, List.of(), false);
    }
    watch.awaitOffer(empty.apply(submitted));
    return effect.noReply();
  }

  /**
   * Records the waiting submission, placed on the first candidate when there is one.
   *
   * @param answered the placer answered: with no candidate, the session queues in the same write
   */
  ReplyEffect<SessionEvent, SessionState> offered(SessionState s, List<Candidate> candidates, boolean answered) {
    if (waiting == null || s.status() != SessionStatus.NEW) {
      return effect.noReply();
    }
    Waiting submit = waiting;
    waiting = null;
    watch.offerSettled();
    List<SessionEvent> events = new ArrayList<>(List.of(submit.event()));
    if (!candidates.isEmpty()) {
      outbox.offered(candidates);
      attempts.placement(s.apply(submit.event()), candidates.get(0), submit.event().at()).ifPresent(events::add);
    } else if (answered) {
      events.addAll(SessionQueueing.queued(s.apply(submit.event()), submit.event().at()));
    }
    boolean queued = events.size() > 1 && events.get(1) instanceof SessionEvent.Queued;
    return effect.persist(events)
        .thenRun(after -> {
          outbox.persisted(events, after);
          if (queued) {
            queueing.waitFor(after);
          }
          submit.replyTo().forEach(r -> r.tell(Accepted.of(after)));
        })
        .thenNoReply();
  }
}
