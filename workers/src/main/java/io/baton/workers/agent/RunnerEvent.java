package io.baton.workers.agent;

import io.baton.actors.session.FailureCause;
import io.baton.workers.engine.Generation;

/** What became of one {@link SessionRunner}'s attempt, sent to its optional listener. */
public sealed interface RunnerEvent {
  String sessionId();

  int attempt();

  /** Prefill is done: how much of the context was restored, found in GPU memory, or computed. */
  record Prefilled(String sessionId, int attempt, Generation.PrefillStats stats) implements RunnerEvent {}

  /** Every token is durable and the session recorded Completed. The runner then stops. */
  record Finished(String sessionId, int attempt) implements RunnerEvent {}

  /** The session refused this attempt's writes (a newer attempt, or the session ended): a fenced zombie. */
  record Fenced(String sessionId, int attempt, String detail) implements RunnerEvent {}

  /** The attempt ended early; the session was told with FailAttempt where it would listen. */
  record Failed(String sessionId, int attempt, FailureCause cause) implements RunnerEvent {}
}
