package io.baton.actors.session;

import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * What a session asks of the node it lives on, beyond its journal. Called from inside the entity,
 * so an implementation must only hand the work to an actor (a {@code tell}) and return at once.
 */
public interface SessionHooks {

  /**
   * The session needs a GPU: its node's placer answers {@code replyTo} with an
   * {@link SessionCommand.Offer} for attempt {@code state.attempt() + 1}. Asked again every
   * {@code placement-retry} while it stays pending, so an implementation must tolerate repeats.
   */
  void needsPlacement(SessionState state, ActorRef<SessionCommand> replyTo);

  /**
   * The admission queue admitted the session: its node's placer answers with an offer without
   * holding it back for the sessions still waiting.
   */
  default void placeAdmitted(SessionState state, ActorRef<SessionCommand> replyTo) {
    needsPlacement(state, replyTo);
  }

  /**
   * The pending session waits for room in its model's admission queue (its state says since when
   * and whether its last attempt was preempted). Told again every placement retry while it waits.
   */
  default void waitForRoom(SessionState state) {}

  /** The session stopped waiting without the queue's admission (placed anyway, or ended). */
  default void leftQueue(SessionState state, String why) {}

  /** The session was placed after waiting {@code waited} in the queue; for the wait-time meters. */
  default void placedAfterWaiting(SessionState state, Duration waited) {}

  /** The session's attempt ended as PREEMPTED; for the preemption meters. */
  default void preempted(SessionState state) {}

  /** The attempt's lease ran out while its runner had confirmed it: the GPU may hang. */
  void attemptTimedOut(SessionState state, Attempt attempt);

  /**
   * The session granted {@code attempt} to a GPU whose agent is {@code agent}: the node tells
   * {@code session} at once if that agent's node becomes unreachable (a hint), even before any GPU
   * report lists the attempt.
   */
  default void attemptGranted(String sessionId, Attempt attempt, ActorRef<Grant> agent,
      ActorRef<SessionCommand> session) {}

  /**
   * The entity recovered (its node crashed, or shards moved) with {@code attempt} running: the
   * node hints {@code session} at once if that GPU has gone silent (it died with the same node),
   * rather than leave it to the grant window.
   */
  default void attemptRecovered(String sessionId, Attempt attempt, ActorRef<SessionCommand> session) {}

  /** The session's running attempt ended (failed, or the session did): no more hints for it. */
  default void attemptEnded(String sessionId) {}

  /**
   * Whether a placer answers {@link #needsPlacement}: a new session then waits briefly for an offer
   * so that Submitted and Placed are one journal write. Unit tests that place by hand have none.
   */
  default boolean placesOnSubmit() {
    return false;
  }

  /**
   * A live session entity on this node changed status: {@code from} is null when it started (or
   * recovered), {@code to} is null when it stopped (passivated, or its node left). For the
   * sessions-by-state gauges; called on the entity's thread, so it must only count.
   */
  default void statusChanged(SessionStatus from, SessionStatus to) {}

  /**
   * Events the session just persisted, with its state after them: for the admin event feed. Called
   * on the entity's thread, so it must only {@code tell}.
   */
  default void recorded(List<SessionEvent> events, SessionState after) {}

  /** For sessions that nobody places, as in unit tests that place them by hand. */
  SessionHooks NONE = new SessionHooks() {
    @Override
    public void needsPlacement(SessionState state, ActorRef<SessionCommand> replyTo) {}

    @Override
    public void attemptTimedOut(SessionState state, Attempt attempt) {}
  };
}
