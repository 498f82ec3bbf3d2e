package io.baton.actors.session;

import static io.baton.actors.Rejection.Reason.INVALID_ARGUMENT;

import io.baton.actors.Rejection;
import io.baton.actors.session.SessionCommand.FailAttempt;
import io.baton.actors.session.SessionCommand.Submit;
import java.time.Duration;
import java.util.Optional;

/**
 * Checks of what a command carries, before any invariant is looked at ({@link SessionRules} holds
 * those), and the cause a silent attempt fails with. Pure, so the entity keeps only the effects.
 */
final class SessionInputs {
  private SessionInputs() {}

  /** Why a Submit cannot create the session: no spec, or an invalid one. */
  static Optional<Rejection> submit(Submit c) {
    Optional<String> invalid = c.spec() == null ? Optional.of("spec is required") : c.spec().invalidity();
    return invalid.map(detail -> Rejection.of(INVALID_ARGUMENT, detail));
  }

  /** A failed attempt must say why, or the placer cannot tell a poison request from a bad GPU. */
  static Optional<Rejection> failAttempt(FailAttempt c) {
    return c.cause() == null || c.cause().kind() == null
        ? Optional.of(Rejection.of(INVALID_ARGUMENT, "a failed attempt needs a cause"))
        : Optional.empty();
  }

  /** Ends are kept for clients to read, so each must say why: {@code what} is required. */
  static Optional<Rejection> required(String value, String what) {
    return value == null || value.isBlank()
        ? Optional.of(Rejection.of(INVALID_ARGUMENT, what + " is required"))
        : Optional.empty();
  }

  /** Why the progress timer failed {@code attempt} (DESIGN.md, path 2). */
  static FailureCause silence(Attempt attempt, boolean sinceRecovery, Duration timeout) {
    String silent = "no token or checkpoint from " + attempt.workerId() + " for " + timeout.toMillis() + " ms";
    // After a recovery the worker may simply have died with its node; only a live silence blames the GPU.
    return sinceRecovery
        ? FailureCause.of(FailureCause.Kind.NODE_UNREACHABLE, silent + " since the session recovered")
        : FailureCause.of(FailureCause.Kind.PROGRESS_TIMEOUT, silent);
  }
}
