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

  /**
   * Why a lease that ran out failed {@code attempt} (DESIGN.md, path 3). An attempt no runner
   * confirmed since it was granted or since the entity recovered may simply have no worker: its
   * node is gone, or the grant was lost. Only a confirmed attempt that went silent blames the GPU.
   */
  static FailureCause leaseExpired(Attempt attempt, boolean unconfirmed, Duration term) {
    return unconfirmed
        ? FailureCause.of(FailureCause.Kind.NODE_UNREACHABLE, attempt.workerId() + " did not confirm the attempt"
            + " within " + term.toMillis() + " ms of its grant or of the session's recovery (its node may be gone,"
            + " or the grant lost)")
        : FailureCause.of(FailureCause.Kind.LEASE_EXPIRED, attempt.workerId() + " sent no chunk and no heartbeat for "
            + term.toMillis() + " ms (the attempt's lease)");
  }
}
