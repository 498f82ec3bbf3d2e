package io.baton.workers.agent;

import io.baton.actors.Rejection;
import io.baton.actors.session.FailureCause;
import io.baton.actors.session.SessionCommand.Complete;
import io.baton.actors.session.SessionCommand.FailAttempt;
import io.baton.actors.session.SessionCommand.Rejected;

/**
 * Ends one attempt: tells the session with {@link Complete} or {@link FailAttempt}, resends until it
 * answers, and turns the answer into the {@link RunnerEvent} the runner reports before it stops.
 * A rejection for a stale attempt or an ended session means this runner is a fenced zombie.
 */
final class AttemptEnd {
  private final SessionLink link;

  AttemptEnd(SessionLink link) {
    this.link = link;
  }

  /** True when the session refused this attempt for good: a newer attempt exists or the session ended. */
  static boolean fences(Rejection rejection) {
    Rejection.Reason reason = rejection.reason();
    return reason == Rejection.Reason.STALE_ATTEMPT || reason == Rejection.Reason.ALREADY_TERMINAL;
  }

  /** Completes the attempt with {@code finishReason}, or fails it when {@code cause} is not null. */
  void send(FailureCause cause, String finishReason) {
    link.ask(replyTo -> cause != null
            ? new FailAttempt(link.attempt(), cause, replyTo)
            : new Complete(link.attempt(), finishReason, replyTo),
        (reply, error) -> new SessionRunner.EndResult(cause, finishReason, reply, error));
  }

  /** The event to report, or null when the end went unanswered and was sent again. */
  RunnerEvent onResult(SessionRunner.EndResult m) {
    if (m.error() != null) {
      send(m.cause(), m.finishReason());
      return null;
    }
    if (m.reply() instanceof Rejected r) {
      if (fences(r.rejection())) {
        return fenced(r.rejection());
      }
      return failed(FailureCause.of(FailureCause.Kind.ENGINE_ERROR,
          "session refused " + (m.cause() == null ? "Complete" : "FailAttempt") + ": " + r.rejection()));
    }
    if (m.cause() != null) {
      return failed(m.cause());
    }
    return new RunnerEvent.Finished(link.sessionId(), link.attempt());
  }

  RunnerEvent failed(FailureCause cause) {
    return new RunnerEvent.Failed(link.sessionId(), link.attempt(), cause);
  }

  /** Logs the fencing; the runner stops without telling the session anything more. */
  RunnerEvent fenced(Rejection rejection) {
    link.log().info("session {} attempt {}: fenced ({})", link.sessionId(), link.attempt(), rejection);
    return new RunnerEvent.Fenced(link.sessionId(), link.attempt(),
        rejection.reason() + ": " + rejection.detail());
  }
}
