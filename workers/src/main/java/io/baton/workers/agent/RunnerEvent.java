package io.baton.workers.agent;

import io.baton.actors.session.FailureCause;

/** What became of one {@link SessionRunner}'s attempt; sent to its optional listener before it stops. */
public sealed interface RunnerEvent {
  String sessionId();

  /** Every token is durable and the session recorded Completed. */
  record Finished(String sessionId) implements RunnerEvent {}

  /** The session refused this attempt's writes (a newer attempt, or the session ended): a fenced zombie. */
  record Fenced(String sessionId, String detail) implements RunnerEvent {}

  /** The attempt ended early; the session was told with FailAttempt where it would listen. */
  record Failed(String sessionId, FailureCause cause) implements RunnerEvent {}
}
