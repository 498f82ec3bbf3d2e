package io.baton.actors.session;

/**
 * What a session asks of the node it lives on, beyond its journal. Called from inside the entity,
 * so an implementation must only hand the work to an actor (a {@code tell}) and return at once.
 */
public interface SessionHooks {

  /**
   * The session is pending and needs a GPU. Asked again every {@code placement-retry} while it stays
   * pending, so an implementation must tolerate repeats; the Place command's attempt number keeps
   * two answers from both winning.
   */
  void needsPlacement(SessionState state);

  /** The attempt persisted nothing for the progress timeout while its worker should have: the GPU may hang. */
  void attemptTimedOut(SessionState state, Attempt attempt);

  /**
   * The entity recovered (a node crashed or shards moved) while an attempt was running: its worker
   * may have died with the same node. An implementation checks that the worker still runs it and
   * fails the attempt (NODE_UNREACHABLE) when not, rather than wait for the progress timeout.
   */
  default void attemptRecovered(SessionState state, Attempt attempt) {}

  /**
   * A live session entity on this node changed status: {@code from} is null when it started (or
   * recovered), {@code to} is null when it stopped (passivated, or its node left). For the
   * sessions-by-state gauges; called on the entity's thread, so it must only count.
   */
  default void statusChanged(SessionStatus from, SessionStatus to) {}

  /** For sessions that nobody places, as in unit tests that place them by hand. */
  SessionHooks NONE = new SessionHooks() {
    @Override
    public void needsPlacement(SessionState state) {}

    @Override
    public void attemptTimedOut(SessionState state, Attempt attempt) {}
  };
}
