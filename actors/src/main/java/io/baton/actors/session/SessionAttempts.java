package io.baton.actors.session;

import io.baton.actors.ActorsSettings;
import io.baton.actors.Rejection;
import io.baton.actors.session.SessionCommand.*;
import io.baton.actors.session.SessionEvent.AttemptFailed;
import io.baton.actors.session.SessionEvent.Failed;
import io.baton.actors.session.SessionEvent.Placed;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.persistence.typed.javadsl.EffectFactories;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.slf4j.Logger;

/**
 * The session's authority over its attempts (DESIGN.md, "Attempts: the session decides"): it
 * places on an offered GPU and grants it, moves to the next candidate on a refusal, keeps the lease,
 * and acts on hints. Every other part of Baton only reports; the attempt's fate is decided here.
 */
final class SessionAttempts {
  private final EffectFactories<SessionEvent, SessionState> effect;
  private final SessionOutbox outbox;
  private final SessionWatch watch;
  private final SessionQueueing queueing;
  private final ActorsSettings settings;
  private final Logger log;

  SessionAttempts(EffectFactories<SessionEvent, SessionState> effect, SessionOutbox outbox, SessionWatch watch,
      SessionQueueing queueing, ActorsSettings settings, Logger log) {
    this.queueing = queueing;
    this.effect = effect;
    this.outbox = outbox;
    this.watch = watch;
    this.settings = settings;
    this.log = log;
  }

  /**
   * A placer's offer for a pending session: place on the first candidate, keep the rest. An empty
   * one means no GPU has room for it now (or others wait before it): it waits in the queue.
   */
  ReplyEffect<SessionEvent, SessionState> offer(SessionState s, Offer c) {
    if (s.status() != SessionStatus.PENDING || c.attempt() != s.attempt() + 1) {
      return effect.noReply(); // stale: the placement timer asks again
    }
    if (c.candidates().isEmpty()) {
      if (queueing.admitted()) {
        // Admitted: its place is promised. Its placer offers it the next place a report shows (an
        // empty offer asked for before the admission may also cross it here); it never queues again.
        return effect.noReply();
      }
      List<SessionEvent> queued = SessionQueueing.queued(s, Instant.now());
      if (queued.isEmpty()) {
        queueing.waitFor(s);
        return effect.noReply();
      }
      return effect.persist(queued).thenRun(after -> {
        outbox.persisted(queued, after);
        queueing.waitFor(after);
      }).thenNoReply();
    }
    outbox.offered(c.candidates());
    Optional<Placed> placed = placement(s, c.candidates().get(0), Instant.now());
    return placed.isEmpty() ? effect.noReply() : persist(List.of(placed.get()));
  }

  /** {@code Placed} on {@code candidate} as the next attempt, if the session's rules allow it. */
  Optional<Placed> placement(SessionState s, Candidate candidate, Instant at) {
    Optional<Rejection> refused = SessionRules.place(s, s.attempt() + 1, candidate.gpuId(), candidate.method());
    if (refused.isPresent()) {
      log.warn("session {}: offer of {} refused: {}", s.sessionId(), candidate.gpuId(), refused.get());
      return Optional.empty();
    }
    return Optional.of(new Placed(s.attempt() + 1, candidate.gpuId(), s.tokenCount(), candidate.method(), at));
  }

  /** The agent would not run the grant: the attempt ends unrun and the next candidate gets it, in one write. */
  ReplyEffect<SessionEvent, SessionState> refused(SessionState s, GrantRefused c) {
    if (!names(s, c.attempt(), c.gpuId())) {
      return effect.noReply();
    }
    log.info("session {} attempt {}: {} refused the grant: {}", s.sessionId(), c.attempt(), c.gpuId(), c.reason());
    Instant now = Instant.now();
    AttemptFailed failed = new AttemptFailed(c.attempt(), FailureCause.of(FailureCause.Kind.GRANT_REFUSED,
        c.gpuId() + " refused: " + c.reason()), now);
    List<SessionEvent> events = new ArrayList<>(List.of(failed));
    outbox.nextAfter(c.gpuId()).flatMap(next -> placement(s.apply(failed), next, now)).ifPresent(events::add);
    return persist(events);
  }

  ReplyEffect<SessionEvent, SessionState> heartbeat(SessionState s, Heartbeat c) {
    if (s.status().isRunning() && c.attempt() == s.attempt()) {
      watch.renew(s);
    }
    return effect.noReply();
  }

  /** Evidence from outside the attempt: acted on at once when it names the running attempt on its GPU. */
  ReplyEffect<SessionEvent, SessionState> hint(SessionState s, Hint c) {
    if (c.cause() == null || c.cause().kind() == null || !names(s, c.attempt(), c.gpuId())) {
      return effect.noReply();
    }
    log.info("session {} attempt {} on {}: {} hint: {}", s.sessionId(), c.attempt(), c.gpuId(), c.cause().kind(),
        c.cause().detail());
    return persist(failure(s, c.attempt(), c.cause()));
  }

  /** The worker's own report that its attempt ended early. */
  ReplyEffect<SessionEvent, SessionState> failAttempt(SessionState s, FailAttempt c) {
    Optional<Rejection> invalid = SessionInputs.failAttempt(c).or(() -> SessionRules.fence(s, c.attempt()));
    if (invalid.isPresent()) {
      return effect.reply(c.replyTo(), new Rejected(invalid.get()));
    }
    List<SessionEvent> events = failure(s, c.attempt(), c.cause());
    return effect.persist(events).thenRun(after -> outbox.persisted(events, after))
        .thenReply(c.replyTo(), Accepted::of);
  }

  /** The lease ran out: the attempt fails, and a confirmed one that went silent makes its GPU suspect. */
  ReplyEffect<SessionEvent, SessionState> leaseDue(SessionState s, LeaseDue c) {
    if (!s.status().isRunning() || s.attempt() != c.attempt()) {
      return effect.noReply();
    }
    Attempt attempt = s.currentAttempt();
    FailureCause cause = SessionInputs.leaseExpired(attempt, c.unconfirmed(),
        c.unconfirmed() ? settings.grantWindow() : settings.lease());
    log.warn("session {} attempt {}: {}", s.sessionId(), c.attempt(), cause.detail());
    List<SessionEvent> events = failure(s, c.attempt(), cause);
    return effect.persist(events).thenRun(after -> {
      if (!c.unconfirmed()) {
        watch.attemptTimedOut(s, attempt);
      }
      outbox.persisted(events, after);
    }).thenNoReply();
  }

  /**
   * The attempt's failure, and the session's end when this was the second GPU the request faulted
   * with an application-class XID: a poison request.
   */
  private List<SessionEvent> failure(SessionState s, int attempt, FailureCause cause) {
    Instant now = Instant.now();
    AttemptFailed failed = new AttemptFailed(attempt, cause, now);
    Optional<String> poison = SessionRules.poison(s, cause);
    if (poison.isPresent()) {
      log.warn("session {} failed: {}", s.sessionId(), poison.get());
      return List.of(failed, new Failed(poison.get(), now));
    }
    return List.of(failed);
  }

  /** Whether a report names the session's running attempt on that GPU, the only one it may end. */
  private static boolean names(SessionState s, int attempt, String gpuId) {
    return s.status().isRunning() && attempt == s.attempt() && s.currentAttempt().workerId().equals(gpuId);
  }

  private ReplyEffect<SessionEvent, SessionState> persist(List<SessionEvent> events) {
    return effect.persist(events).thenRun(after -> outbox.persisted(events, after)).thenNoReply();
  }
}
