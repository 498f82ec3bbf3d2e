package io.baton.actors.session;

import io.baton.actors.ActorsSettings;
import io.baton.actors.session.SessionCommand.PlacementDue;
import io.baton.actors.session.SessionCommand.ProgressDue;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * A session's two watches, kept out of the entity so it reads as its invariants: while pending it
 * asks its node's placer for a GPU, again every placement-retry until one takes it; while running it
 * expects a persisted token or checkpoint within the progress timeout (DESIGN.md, detection path 2).
 */
final class SessionWatch {
  private static final String PLACEMENT_TIMER = "placement";
  private static final String PROGRESS_TIMER = "progress";

  private final TimerScheduler<SessionCommand> timers;
  private final SessionHooks hooks;
  private final ActorsSettings settings;
  /** The status last reported to {@link SessionHooks#statusChanged}; null before the first. */
  private SessionStatus counted;

  SessionWatch(TimerScheduler<SessionCommand> timers, SessionHooks hooks, ActorsSettings settings) {
    this.timers = timers;
    this.hooks = hooks;
    this.settings = settings;
  }

  /**
   * Arms what the session's status needs.
   *
   * @param sinceRecovery the entity just recovered, so a silent worker may be gone with its node
   *     rather than hung
   */
  void follow(SessionState s, boolean sinceRecovery) {
    if (s.status() != counted) {
      hooks.statusChanged(counted, s.status());
      counted = s.status();
    }
    if (s.status().isTerminal()) {
      timers.cancelAll();
    } else if (s.status() == SessionStatus.PENDING) {
      timers.cancel(PROGRESS_TIMER);
      hooks.needsPlacement(s);
      if (!timers.isTimerActive(PLACEMENT_TIMER)) {
        timers.startTimerWithFixedDelay(PLACEMENT_TIMER, new PlacementDue(), settings.placementRetry());
      }
    } else if (s.status().isRunning()) {
      timers.cancel(PLACEMENT_TIMER);
      timers.startSingleTimer(PROGRESS_TIMER, new ProgressDue(s.attempt(), sinceRecovery), settings.progressTimeout());
      if (sinceRecovery) {
        hooks.attemptRecovered(s, s.currentAttempt());
      }
    }
  }

  /** The entity stopped: it no longer counts in any status on this node. */
  void stopped() {
    if (counted != null) {
      hooks.statusChanged(counted, null);
      counted = null;
    }
  }

  /** The placement timer fired. */
  void placementDue(SessionState s) {
    if (s.status() == SessionStatus.PENDING) {
      hooks.needsPlacement(s);
    } else {
      timers.cancel(PLACEMENT_TIMER);
    }
  }

  void attemptTimedOut(SessionState s, Attempt attempt) {
    hooks.attemptTimedOut(s, attempt);
  }
}
