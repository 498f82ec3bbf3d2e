package io.baton.actors.batch;

import static io.baton.actors.Rejection.Reason.ALREADY_EXISTS;
import static io.baton.actors.Rejection.Reason.ALREADY_TERMINAL;
import static io.baton.actors.Rejection.Reason.CONFLICT;
import static io.baton.actors.Rejection.Reason.ILLEGAL_STATE;
import static io.baton.actors.Rejection.Reason.INVALID_ARGUMENT;
import static io.baton.actors.Rejection.Reason.NOT_FOUND;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.baton.actors.batch.BatchCommand.*;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Every way a command is refused: the reply says why, and nothing is persisted. */
class BatchRejectionTest extends BatchTestBase {

  static Stream<Function<ActorRef<Reply>, BatchCommand>> invalidCreates() {
    Map<String, String> seventeenPairs = new HashMap<>();
    for (int i = 0; i < 17; i++) {
      seventeenPairs.put("k" + i, "v");
    }
    return Stream.of(
        r -> new Create(null, CHAT, WINDOW, METADATA, "alice", r),
        r -> new Create(" ", CHAT, WINDOW, METADATA, "alice", r),
        r -> new Create(INPUT, "/v1/embeddings", WINDOW, METADATA, "alice", r),
        r -> new Create(INPUT, null, WINDOW, METADATA, "alice", r),
        r -> new Create(INPUT, CHAT, "48h", METADATA, "alice", r),
        r -> new Create(INPUT, CHAT, null, METADATA, "alice", r),
        r -> new Create(INPUT, CHAT, WINDOW, seventeenPairs, "alice", r),
        r -> new Create(INPUT, CHAT, WINDOW, Map.of("k".repeat(65), "v"), "alice", r),
        r -> new Create(INPUT, CHAT, WINDOW, Map.of("k", "v".repeat(513)), "alice", r));
  }

  @ParameterizedTest
  @MethodSource("invalidCreates")
  void anInvalidCreateIsRefused(Function<ActorRef<Reply>, BatchCommand> create) {
    assertRejected(INVALID_ARGUMENT, create);
    assertEquals(BatchStatus.NEW, kit.getState().status());
  }

  @Test
  void metadataAtTheLimitsIsAccepted() {
    Map<String, String> sixteenPairs = new HashMap<>();
    for (int i = 0; i < 15; i++) {
      sixteenPairs.put("k" + i, "v");
    }
    sixteenPairs.put("k".repeat(64), "v".repeat(512));
    assertAccepted(BatchStatus.VALIDATING, run(r -> new Create(INPUT, CHAT, WINDOW, sixteenPairs, "alice", r)));
  }

  @Test
  void aCreateWithOtherContentIsAlreadyExistsBeforeAndAfterTheEnd() {
    create();
    assertRejected(ALREADY_EXISTS, r -> new Create("file-other", CHAT, WINDOW, METADATA, "alice", r));
    assertRejected(ALREADY_EXISTS, r -> new Create(INPUT, "/v1/completions", WINDOW, METADATA, "alice", r));
    assertRejected(ALREADY_EXISTS, r -> new Create(INPUT, CHAT, WINDOW, Map.of(), "alice", r));
    run(r -> new Fail(List.of(ERROR), r));
    assertRejected(ALREADY_EXISTS, r -> new Create("file-other", CHAT, WINDOW, METADATA, "alice", r));
  }

  @Test
  void everyMutationOfAnUncreatedBatchIsNotFound() {
    everyMutation().forEach(command -> assertRejected(NOT_FOUND, command));
  }

  @ParameterizedTest
  @EnumSource(names = {"COMPLETED", "FAILED", "EXPIRED", "CANCELLED"})
  void everyMutationOfAnEndedBatchIsAlreadyTerminal(BatchStatus terminal) {
    reach(terminal);
    clock.advance(Duration.ofDays(2));
    everyMutation().forEach(command -> assertRejected(ALREADY_TERMINAL, command));
  }

  /** The commands each running status does not take; the deadline has passed so Expire is not timed out. */
  static Stream<Object[]> misplacedCommands() {
    List<Function<ActorRef<Reply>, BatchCommand>> all = everyMutation();
    Function<ActorRef<Reply>, BatchCommand> validated = all.get(0);
    Function<ActorRef<Reply>, BatchCommand> report = all.get(1);
    Function<ActorRef<Reply>, BatchCommand> finalize = all.get(2);
    Function<ActorRef<Reply>, BatchCommand> complete = all.get(3);
    Function<ActorRef<Reply>, BatchCommand> cancel = all.get(5);
    Function<ActorRef<Reply>, BatchCommand> expire = all.get(6);
    return Stream.of(
        new Object[] {BatchStatus.VALIDATING, List.of(report, finalize, complete)},
        new Object[] {BatchStatus.IN_PROGRESS, List.of(validated, complete)},
        new Object[] {BatchStatus.FINALIZING, List.of(validated, cancel, expire)},
        new Object[] {BatchStatus.CANCELLING, List.of(validated, finalize, expire)});
  }

  @ParameterizedTest
  @MethodSource("misplacedCommands")
  void aCommandInTheWrongStatusIsIllegalState(
      BatchStatus status, List<Function<ActorRef<Reply>, BatchCommand>> commands) {
    reach(status);
    clock.advance(Duration.ofDays(2));
    commands.forEach(command -> assertRejected(ILLEGAL_STATE, command));
  }

  @Test
  void finalizingWaitsForEveryLine() {
    reach(BatchStatus.IN_PROGRESS);
    assertRejected(ILLEGAL_STATE, Finalize::new);
  }

  @Test
  void expiringBeforeTheDeadlineIsRefused() {
    create();
    clock.advance(Duration.ofHours(24).minusSeconds(1));
    assertRejected(ILLEGAL_STATE, r -> new Expire(null, null, r));
    newBatch();
    reach(BatchStatus.IN_PROGRESS);
    clock.advance(Duration.ofHours(24).minusSeconds(1));
    assertRejected(ILLEGAL_STATE, r -> new Expire("file-out", "file-err", r));
  }

  @Test
  void aValidatedBatchHoldsOneToFiftyThousandRequests() {
    create();
    for (int total : new int[] {0, -1, 50_001}) {
      assertRejected(INVALID_ARGUMENT, r -> new MarkValidated(total, List.of(), r));
    }
    assertAccepted(BatchStatus.IN_PROGRESS, run(r -> new MarkValidated(50_000, List.of(), r)));
  }

  @Test
  void aFailureMustSayWhy() {
    create();
    assertRejected(INVALID_ARGUMENT, r -> new Fail(List.of(), r));
    newBatch();
    reach(BatchStatus.IN_PROGRESS);
    assertRejected(INVALID_ARGUMENT, r -> new Fail(null, r));
  }

  @Test
  void aMalformedReportIsRefused() {
    reach(BatchStatus.IN_PROGRESS);
    assertRejected(INVALID_ARGUMENT, r -> new ReportRequests(List.of(), List.of(), r));
    assertRejected(INVALID_ARGUMENT, r -> new ReportRequests(List.of(-1), List.of(), r));
    assertRejected(INVALID_ARGUMENT, r -> new ReportRequests(List.of(2), List.of(3), r));
    assertRejected(INVALID_ARGUMENT, r -> new ReportRequests(List.of(2), List.of(2), r));
  }

  @Test
  void aReportContradictingACountedLineIsAConflict() {
    reach(BatchStatus.IN_PROGRESS);
    // Line 2 is new, but the whole report is refused: a driver that contradicts itself is broken.
    assertRejected(CONFLICT, r -> new ReportRequests(List.of(1, 2), List.of(), r));
    assertRejected(CONFLICT, r -> new ReportRequests(List.of(), List.of(0, 2), r));
  }

  @Test
  void finishedRequestsNeedAFileToHoldThem() {
    reach(BatchStatus.FINALIZING);
    assertRejected(INVALID_ARGUMENT, r -> new Complete(null, "file-err", r));
    assertRejected(INVALID_ARGUMENT, r -> new Complete("file-out", " ", r));
    newBatch();
    reach(BatchStatus.CANCELLING);
    assertRejected(INVALID_ARGUMENT, r -> new Complete(null, "file-err", r));
    newBatch();
    reach(BatchStatus.IN_PROGRESS);
    clock.advance(Duration.ofDays(1));
    assertRejected(INVALID_ARGUMENT, r -> new Expire("file-out", null, r));
  }
}
