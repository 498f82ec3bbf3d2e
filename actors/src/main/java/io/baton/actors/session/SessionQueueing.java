package io.baton.actors.session;

import io.baton.actors.session.SessionEvent.AttemptFailed;
import io.baton.actors.session.SessionEvent.Placed;
import io.baton.actors.session.SessionEvent.Queued;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * A pending session's part in its model's admission queue (DESIGN.md, Placement). When its placer
 * offers nothing, the session records that it queued (once per wait: its place in line) and tells
 * the queue; it tells it again on every placement retry, so a queue that moved nodes hears of it
 * again. When the queue admits it, it asks its placer at once as an admitted session.
 *
 * <p>Whether it is admitted lives only in memory: a new incarnation waits again, in its old place.
 */
final class SessionQueueing {
  private final SessionHooks hooks;
  private final ActorRef<SessionCommand> self;
  private boolean admitted;
  private boolean waiting;
  /** When the session queued, as its state recorded it; for the wait-time meters. */
  private Instant since;

  SessionQueueing(SessionHooks hooks, ActorRef<SessionCommand> self) {
    this.hooks = hooks;
    this.self = self;
  }

  /** What an empty offer to a pending session writes: that it queued, unless it already waits. */
  static List<SessionEvent> queued(SessionState s, Instant at) {
    return s.queuedAt() == null ? List.of(new Queued(s.attempt(), at)) : List.of();
  }

  boolean admitted() {
    return admitted;
  }

  /** The session waits: told to the queue now, and again at every empty offer. */
  void waitFor(SessionState s) {
    waiting = true;
    since = s.queuedAt();
    hooks.waitForRoom(s);
  }

  /** The queue's admission: a pending session asks its placer at once. */
  void admit(SessionState s) {
    if (s.status() == SessionStatus.PENDING) {
      admitted = true;
      hooks.placeAdmitted(s, self);
    }
  }

  /**
   * The placement timer, or a new pending status: ask for a GPU as what the session is now. A
   * waiting session's empty offer tells the queue again ({@link #waitFor}); if the queue is gone
   * quiet, its placer stops holding it back and it is placed as if there were no queue.
   */
  void ask(SessionState s) {
    if (admitted) {
      hooks.waitForRoom(s); // renews the admission: it still holds a place in the queue's count
      hooks.placeAdmitted(s, self);
    } else {
      hooks.needsPlacement(s, self);
    }
  }

  /** Events just persisted: a placement or an end settles a wait; a preemption is counted. */
  void persisted(List<SessionEvent> events, SessionState after) {
    for (SessionEvent event : events) {
      if (event instanceof AttemptFailed f && f.cause().kind() == FailureCause.Kind.PREEMPTED) {
        hooks.preempted(after);
      } else if (event instanceof Placed p && waiting) {
        if (since != null) {
          hooks.placedAfterWaiting(after, Duration.between(since, p.at()));
        }
        settle(after, "placed on " + p.workerId());
      }
    }
    if (after.status().isTerminal()) {
      settle(after, "the session ended " + after.status().name().toLowerCase());
    }
  }

  /**
   * Tells the queue the session no longer waits. Even an admitted one: its Wait may have crossed
   * the admission and queued it again. The queue ignores a session it does not hold.
   */
  private void settle(SessionState s, String why) {
    if (waiting) {
      hooks.leftQueue(s, why);
    }
    waiting = false;
    admitted = false;
    since = null;
  }
}
