package io.baton.actors.session;

import io.baton.actors.ActorsSettings;
import io.baton.actors.session.SessionCommand.LeaseDue;
import io.baton.actors.session.SessionCommand.OfferDue;
import io.baton.actors.session.SessionCommand.PlacementDue;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * A session's timers, kept out of the entity so it reads as its invariants: while pending it asks
 * its node's placer for a GPU (or waits in its model's queue), again every placement-retry until one
 * takes it; while running it
 * holds the attempt's lease (DESIGN.md, "Attempts"), which is short until the runner first
 * confirms the attempt and the full lease from then on.
 */
final class SessionWatch {
  private static final String PLACEMENT_TIMER = "placement";
  private static final String LEASE_TIMER = "lease";
  private static final String OFFER_TIMER = "offer";

  private final TimerScheduler<SessionCommand> timers;
  private final SessionHooks hooks;
  private final ActorsSettings settings;
  private final ActorRef<SessionCommand> self;
  private final SessionQueueing queueing;
  /** The status last reported to {@link SessionHooks#statusChanged}; null before the first. */
  private SessionStatus counted;

  SessionWatch(TimerScheduler<SessionCommand> timers, SessionHooks hooks, ActorsSettings settings,
      ActorRef<SessionCommand> self, SessionQueueing queueing) {
    this.timers = timers;
    this.queueing = queueing;
    this.hooks = hooks;
    this.settings = settings;
    this.self = self;
  }

  /**
   * Arms what the session's status needs.
   *
   * @param unconfirmed the attempt was just granted, or the entity just recovered: no runner has
   *     spoken for it yet, so it gets the grant window rather than the full lease
   */
  void follow(SessionState s, boolean unconfirmed) {
    if (counted != null && counted.isRunning() && !s.status().isRunning()) {
      hooks.attemptEnded(s.sessionId());
    }
    if (s.status() != counted) {
      hooks.statusChanged(counted, s.status());
      counted = s.status();
    }
    if (s.status().isTerminal()) {
      timers.cancelAll();
    } else if (s.status() == SessionStatus.PENDING) {
      timers.cancel(LEASE_TIMER);
      queueing.ask(s);
      if (!timers.isTimerActive(PLACEMENT_TIMER)) {
        timers.startTimerWithFixedDelay(PLACEMENT_TIMER, new PlacementDue(), settings.placementRetry());
      }
    } else if (s.status().isRunning()) {
      timers.cancel(PLACEMENT_TIMER);
      Duration term = unconfirmed ? settings.grantWindow() : settings.lease();
      timers.startSingleTimer(LEASE_TIMER, new LeaseDue(s.attempt(), unconfirmed), term);
    }
  }

  /** The entity recovered with an attempt running: its node may know the GPU is gone. */
  void recovered(SessionState s) {
    if (s.status().isRunning()) {
      hooks.attemptRecovered(s.sessionId(), s.currentAttempt(), self);
    }
  }

  /** A runner heartbeat or an acknowledged chunk: the attempt holds its full lease again. */
  void renew(SessionState s) {
    timers.startSingleTimer(LEASE_TIMER, new LeaseDue(s.attempt(), false), settings.lease());
  }

  /** A new session asks its node's placer, so that it can record Submitted and Placed in one write. */
  void awaitOffer(SessionState provisional) {
    hooks.needsPlacement(provisional, self);
    timers.startSingleTimer(OFFER_TIMER, new OfferDue(), settings.offerTimeout());
  }

  void offerSettled() {
    timers.cancel(OFFER_TIMER);
  }

  /** The grant of the session's current attempt went to {@code agent}. */
  void granted(SessionState s, ActorRef<Grant> agent) {
    hooks.attemptGranted(s.sessionId(), s.currentAttempt(), agent, self);
  }

  /** The entity stopped: it no longer counts in any status on this node. */
  void stopped(String sessionId) {
    if (counted != null && counted.isRunning()) {
      hooks.attemptEnded(sessionId);
    }
    if (counted != null) {
      hooks.statusChanged(counted, null);
      counted = null;
    }
  }

  /** The placement timer fired. */
  void placementDue(SessionState s) {
    if (s.status() == SessionStatus.PENDING) {
      queueing.ask(s);
    } else {
      timers.cancel(PLACEMENT_TIMER);
    }
  }

  void attemptTimedOut(SessionState s, Attempt attempt) {
    hooks.attemptTimedOut(s, attempt);
  }
}
