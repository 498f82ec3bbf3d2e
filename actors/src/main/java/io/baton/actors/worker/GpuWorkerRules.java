package io.baton.actors.worker;

import static io.baton.actors.Rejection.Reason.ILLEGAL_STATE;
import static io.baton.actors.Rejection.Reason.INVALID_ARGUMENT;
import static io.baton.actors.worker.GpuStatus.ACTIVE;
import static io.baton.actors.worker.GpuStatus.CORDONED;
import static io.baton.actors.worker.GpuStatus.DRAINING;
import static io.baton.actors.worker.GpuStatus.RESETTING;
import static io.baton.actors.worker.GpuStatus.RETIRED;
import static io.baton.actors.worker.GpuStatus.SPARE;
import static io.baton.actors.worker.GpuStatus.SUSPECT;

import io.baton.actors.Rejection;
import io.baton.actors.worker.GpuWorkerCommand.ChangeStatus;
import io.baton.actors.worker.GpuWorkerCommand.Cordon;
import io.baton.actors.worker.GpuWorkerCommand.Demote;
import io.baton.actors.worker.GpuWorkerCommand.Drain;
import io.baton.actors.worker.GpuWorkerCommand.MarkSuspect;
import io.baton.actors.worker.GpuWorkerCommand.Promote;
import io.baton.actors.worker.GpuWorkerCommand.RecordXid;
import io.baton.actors.worker.GpuWorkerCommand.Register;
import io.baton.actors.worker.GpuWorkerCommand.ReportHealthCheck;
import io.baton.actors.worker.GpuWorkerCommand.ReportResetFailed;
import io.baton.actors.worker.GpuWorkerCommand.StartReset;
import io.baton.actors.worker.GpuWorkerCommand.Uncordon;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The worker's state machine as pure checks, kept apart from the actor so each reads as one rule.
 * UNREGISTERED and RETIRED are handled by the entity before these run: nothing but a query or a
 * repeated registration of the same GPU (acknowledged, changing nothing) reaches a retired GPU,
 * since nothing may bring it back.
 */
final class GpuWorkerRules {
  /** The failed health check that reaches this count in a row retires the GPU (DESIGN.md). */
  static final int HEALTH_FAILURES_TO_RETIRE = 2;

  private GpuWorkerRules() {}

  /**
   * @param from the statuses the move starts from
   * @param done the statuses where the move has already happened: a repeat is acknowledged and
   *     persists nothing, so retries and racing controllers are harmless. A repeat does not
   *     overwrite the recorded reason: the first reason is why the GPU got there.
   */
  record Move(Set<GpuStatus> from, Set<GpuStatus> done) {}

  /**
   * Every move, as data. A GPU is reset or checked only while quarantined (no sessions, out of
   * rotation), so cordon or suspicion always comes first. Every return to rotation lands in SPARE:
   * while the GPU was out the fleet controller replaced it from the spare pool, and promoting it
   * back is the controller's call.
   */
  private static final Map<Class<? extends ChangeStatus>, Move> MOVES = Map.of(
      Cordon.class, new Move(EnumSet.of(ACTIVE, SPARE, SUSPECT, DRAINING, RESETTING), EnumSet.of(CORDONED)),
      Uncordon.class, new Move(EnumSet.of(CORDONED, SUSPECT), EnumSet.of(ACTIVE, SPARE)),
      Drain.class, new Move(EnumSet.of(ACTIVE), EnumSet.of(DRAINING)),
      MarkSuspect.class, new Move(EnumSet.of(ACTIVE, SPARE, DRAINING), EnumSet.of(SUSPECT)),
      StartReset.class, new Move(EnumSet.of(CORDONED, SUSPECT), EnumSet.of(RESETTING)),
      Promote.class, new Move(EnumSet.of(SPARE), EnumSet.of(ACTIVE)),
      ReportResetFailed.class, new Move(EnumSet.of(RESETTING), EnumSet.of(RETIRED)),
      Demote.class, new Move(EnumSet.of(ACTIVE, DRAINING), EnumSet.of(SPARE)));

  // A passed check repeated on the spare it produced is a retry. A failure is never "done": each
  // one counts towards retirement, so it is only accepted where a check can run.
  private static final Move HEALTH_PASSED = new Move(EnumSet.of(SUSPECT, CORDONED, RESETTING), EnumSet.of(SPARE));
  private static final Move HEALTH_FAILED = new Move(EnumSet.of(SUSPECT, CORDONED, RESETTING), EnumSet.noneOf(GpuStatus.class));

  /** What a status change means in the current state. */
  sealed interface Plan {}

  record Reject(Rejection rejection) implements Plan {}

  record AlreadyDone() implements Plan {}

  record Proceed() implements Plan {}

  static Plan change(GpuWorkerState s, ChangeStatus c) {
    if (blank(c.by()) || blank(c.reason())) {
      return new Reject(Rejection.of(INVALID_ARGUMENT, "by and reason are required: operators must see why"));
    }
    Move move = move(c);
    if (move.done().contains(s.status())) {
      return new AlreadyDone();
    }
    if (!move.from().contains(s.status())) {
      return new Reject(Rejection.of(ILLEGAL_STATE, name(c) + " needs a GPU that is one of " + move.from()
          + "; " + s.workerId() + " is " + s.status()));
    }
    return new Proceed();
  }

  /** Whether the failed check being reported is the one that retires the GPU. */
  static boolean retires(GpuWorkerState s) {
    return s.consecutiveHealthFailures() + 1 >= HEALTH_FAILURES_TO_RETIRE;
  }

  static Optional<Rejection> register(Register c) {
    if (c.gpu() == null) {
      return reject("gpu is required");
    }
    Optional<String> invalid = c.gpu().invalidity();
    if (invalid.isPresent()) {
      return reject(invalid.get());
    }
    if (c.pool() == null) {
      return reject("pool is required: ACTIVE or SPARE");
    }
    return blank(c.by()) ? reject("by is required") : Optional.empty();
  }

  static Optional<Rejection> recordXid(RecordXid c) {
    if (c.code() < 1) {
      return reject("an XID code is a positive number, was " + c.code());
    }
    return blank(c.by()) ? reject("by is required") : Optional.empty();
  }

  private static Move move(ChangeStatus c) {
    if (c instanceof ReportHealthCheck h) {
      return h.passed() ? HEALTH_PASSED : HEALTH_FAILED;
    }
    return MOVES.get(c.getClass());
  }

  private static String name(ChangeStatus c) {
    return c.getClass().getSimpleName();
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }

  private static Optional<Rejection> reject(String detail) {
    return Optional.of(Rejection.of(INVALID_ARGUMENT, detail));
  }
}
