package io.baton.actors.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.actors.batch.BatchCommand.*;
import io.baton.actors.batch.BatchEvent.*;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.Test;

/** Every transition of the batch lifecycle, with the events it persists and the state it leaves. */
class BatchTest extends BatchTestBase {
  private static final Duration DAY = Duration.ofHours(24);

  @Test
  void createStartsValidatingWithTheWindowFixed() {
    var result = create();
    assertEquals(new Accepted(BatchStatus.VALIDATING, RequestCounts.NONE), result.reply());
    assertEquals(List.of(new Created(batchId, INPUT, CHAT, WINDOW, METADATA, T0, T0.plus(DAY), "alice")), result.events());
    BatchState s = result.state();
    assertEquals(batchId, s.id());
    assertEquals(CHAT, s.endpoint());
    assertEquals(INPUT, s.inputFileId());
    assertEquals(WINDOW, s.completionWindow());
    assertEquals(METADATA, s.metadata());
    assertEquals(T0, s.createdAt());
    assertEquals(T0.plus(DAY), s.expiresAt());
    assertEquals(List.of(), s.errors());
    assertNull(s.inProgressAt());
    assertNull(s.outputFileId());
  }

  @Test
  void createWithoutMetadataOnTheCompletionsEndpoint() {
    var result = run(r -> new Create(INPUT, "/v1/completions", WINDOW, null, "alice", r));
    assertAccepted(BatchStatus.VALIDATING, result);
    assertEquals(Map.of(), result.state().metadata());
  }

  @Test
  void theSystemClockStampsEventsByDefault() {
    var plain = EventSourcedBehaviorTestKit.<BatchCommand, BatchEvent, BatchState>create(
        testKit.system(), Batch.create(batchId + "-plain", settings));
    Instant before = Instant.now();
    var result = plain.<Reply>runCommand(r -> new Create(INPUT, CHAT, WINDOW, METADATA, "alice", r));
    Instant createdAt = result.state().createdAt();
    assertFalse(createdAt.isBefore(before) || createdAt.isAfter(Instant.now()));
    assertEquals(createdAt.plus(DAY), result.state().expiresAt());
  }

  @Test
  void aRepeatedCreateIsAcknowledgedEvenAfterTheEnd() {
    create();
    assertAcknowledged(r -> new Create(INPUT, CHAT, WINDOW, Map.copyOf(METADATA), "alice", r));
    assertAccepted(BatchStatus.FAILED, run(r -> new Fail(List.of(ERROR), r)));
    assertAcknowledged(r -> new Create(INPUT, CHAT, WINDOW, METADATA, "alice", r));
  }

  @Test
  void getStateAnswersInEveryStatus() {
    assertEquals(BatchState.empty(batchId), kit.<BatchState>runCommand(GetState::new).reply());
    create();
    assertEquals(kit.getState(), kit.<BatchState>runCommand(GetState::new).reply());
  }

  @Test
  void validationStartsTheRequests() {
    create();
    clock.advance(Duration.ofMinutes(1));
    LineError warning = new LineError("invalid_value", "temperature out of range", "body.temperature", 7);
    var result = run(r -> new MarkValidated(5, List.of(warning), r));
    assertEquals(new Accepted(BatchStatus.IN_PROGRESS, new RequestCounts(5, 0, 0)), result.reply());
    assertEquals(List.of(new InputValidated(5, List.of(warning), T0.plusSeconds(60))), result.events());
    assertEquals(T0.plusSeconds(60), result.state().inProgressAt());
    assertEquals(List.of(warning), result.state().errors());
  }

  @Test
  void failedValidationEndsTheBatch() {
    create();
    LineError bad = new LineError("invalid_json_line", "line 3 is not JSON", null, 3);
    var result = run(r -> new Fail(List.of(bad), r));
    assertEquals(List.of(new ValidationFailed(List.of(bad), T0)), result.events());
    assertAccepted(BatchStatus.FAILED, result);
    assertEquals(T0, result.state().failedAt());
    assertEquals(List.of(bad), result.state().errors());
    assertEquals(result.state(), kit.restart().state());
  }

  @Test
  void reportsCountEachLineOnce() {
    create();
    run(r -> new MarkValidated(6, List.of(), r));
    var first = report(List.of(1, 0, 1), List.of(2));
    assertEquals(List.of(new RequestsFinished(List.of(0, 1), List.of(2), T0)), first.events());
    assertEquals(new Accepted(BatchStatus.IN_PROGRESS, new RequestCounts(6, 2, 1)), first.reply());
    assertAcknowledged(r -> new ReportRequests(List.of(0, 1), List.of(2), r));
    assertAcknowledged(r -> new ReportRequests(List.of(1), List.of(), r));

    var overlapping = report(List.of(1, 3), List.of(2, 4));
    assertEquals(List.of(new RequestsFinished(List.of(3), List.of(4), T0)), overlapping.events());
    BatchState s = overlapping.state();
    assertEquals(new RequestCounts(6, 3, 2), s.requestCounts());
    assertTrue(s.finishedLines().contains(4) && !s.finishedLines().contains(5));
    assertTrue(s.failedLines().contains(2) && !s.failedLines().contains(3));
    assertEquals(5, s.finishedLines().size());
  }

  @Test
  void tenThousandLinesInHundredLineReports() {
    create();
    run(r -> new MarkValidated(10_000, List.of(), r));
    for (int from = 0; from < 10_000; from += 100) {
      List<Integer> lines = range(from, from + 100);
      // Every tenth line fails.
      var ok = lines.stream().filter(i -> i % 10 != 0).collect(Collectors.toList());
      var failed = lines.stream().filter(i -> i % 10 == 0).collect(Collectors.toList());
      assertEquals(1, report(ok, failed).events().size());
    }
    assertEquals(new RequestCounts(10_000, 9_000, 1_000), kit.getState().requestCounts());
    assertAcknowledged(r -> new ReportRequests(range(0, 10_000).subList(1, 10), List.of(0), r));
    assertAccepted(BatchStatus.FINALIZING, run(Finalize::new));
    assertEquals(kit.getState(), kit.restart().state());
  }

  @Test
  void fullLifecycleToCompleted() {
    create();
    clock.advance(Duration.ofMinutes(1));
    run(r -> new MarkValidated(3, List.of(), r));
    clock.advance(Duration.ofMinutes(1));
    report(List.of(0, 2), List.of(1));
    clock.advance(Duration.ofMinutes(1));
    var finalizing = run(Finalize::new);
    assertEquals(List.of(new FinalizingStarted(T0.plusSeconds(180))), finalizing.events());
    assertEquals(T0.plusSeconds(180), finalizing.state().finalizingAt());
    assertAcknowledged(Finalize::new);
    assertAcknowledged(r -> new ReportRequests(List.of(0), List.of(1), r));

    clock.advance(Duration.ofMinutes(1));
    var completed = run(r -> new Complete("file-out", "file-err", r));
    assertEquals(List.of(new Completed("file-out", "file-err", T0.plusSeconds(240))), completed.events());
    assertEquals(new Accepted(BatchStatus.COMPLETED, new RequestCounts(3, 2, 1)), completed.reply());
    BatchState s = completed.state();
    assertEquals("file-out", s.outputFileId());
    assertEquals("file-err", s.errorFileId());
    assertEquals(T0.plusSeconds(60), s.inProgressAt());
    assertEquals(T0.plusSeconds(240), s.completedAt());
    assertNull(s.failedAt());
    assertNull(s.cancelledAt());
    assertEquals(s, kit.restart().state());
  }

  @Test
  void aBatchWithoutFailuresCompletesWithoutAnErrorFile() {
    create();
    run(r -> new MarkValidated(1, List.of(), r));
    report(List.of(0), List.of());
    run(Finalize::new);
    assertAccepted(BatchStatus.COMPLETED, run(r -> new Complete("file-out", null, r)));
  }

  @Test
  void cancelWhileValidating() {
    create();
    clock.advance(Duration.ofMinutes(1));
    var cancelling = run(r -> new Cancel("wrong file", r));
    assertEquals(List.of(new CancellationRequested("wrong file", T0.plusSeconds(60))), cancelling.events());
    assertEquals(T0.plusSeconds(60), cancelling.state().cancellingAt());
    assertEquals("wrong file", cancelling.state().cancelReason());
    var cancelled = run(r -> new Complete(null, null, r));
    assertEquals(List.of(new Cancelled(null, null, T0.plusSeconds(60))), cancelled.events());
    assertAccepted(BatchStatus.CANCELLED, cancelled);
    assertEquals(T0.plusSeconds(60), cancelled.state().cancelledAt());
  }

  @Test
  void cancelWhileInProgressKeepsWhatFinished() {
    reach(BatchStatus.IN_PROGRESS);
    assertAccepted(BatchStatus.CANCELLING, run(r -> new Cancel("budget", r)));
    assertAcknowledged(r -> new Cancel("budget", r));
    // A request already running when the cancel came still finishes and counts.
    var late = report(List.of(2), List.of());
    assertEquals(List.of(new RequestsFinished(List.of(2), List.of(), T0)), late.events());
    assertAccepted(BatchStatus.CANCELLING, late);
    var cancelled = run(r -> new Complete("file-out", "file-err", r));
    assertEquals(new Accepted(BatchStatus.CANCELLED, new RequestCounts(3, 2, 1)), cancelled.reply());
    assertEquals("file-out", cancelled.state().outputFileId());
    assertEquals(cancelled.state(), kit.restart().state());
  }

  @Test
  void expireAnUnfinishedBatchAfterItsWindow() {
    reach(BatchStatus.IN_PROGRESS);
    clock.advance(DAY.plusSeconds(5));
    var result = run(r -> new Expire("file-out", "file-err", r));
    assertEquals(List.of(new Expired("file-out", "file-err", T0.plus(DAY).plusSeconds(5))), result.events());
    assertEquals(new Accepted(BatchStatus.EXPIRED, new RequestCounts(3, 1, 1)), result.reply());
    assertEquals(T0.plus(DAY).plusSeconds(5), result.state().expiredAt());
    assertEquals(result.state(), kit.restart().state());
  }

  @Test
  void expireABatchStillValidatingAtItsDeadline() {
    create();
    clock.advance(DAY);
    var result = run(r -> new Expire(null, null, r));
    assertEquals(List.of(new Expired(null, null, T0.plus(DAY))), result.events());
    assertAccepted(BatchStatus.EXPIRED, result);
  }

  @Test
  void failAfterValidationInEveryRunningStatus() {
    for (BatchStatus status : List.of(BatchStatus.IN_PROGRESS, BatchStatus.FINALIZING, BatchStatus.CANCELLING)) {
      newBatch();
      create();
      LineError warning = new LineError("invalid_value", "odd line", null, 2);
      run(r -> new MarkValidated(3, List.of(warning), r));
      report(List.of(0, 1, 2), List.of());
      if (status == BatchStatus.FINALIZING) {
        run(Finalize::new);
      } else if (status == BatchStatus.CANCELLING) {
        run(r -> new Cancel("stop", r));
      }
      assertEquals(status, kit.getState().status());
      var result = run(r -> new Fail(List.of(ERROR), r));
      assertEquals(List.of(new Failed(List.of(ERROR), T0)), result.events());
      assertAccepted(BatchStatus.FAILED, result);
      assertEquals(List.of(warning, ERROR), result.state().errors());
      assertEquals(T0, result.state().failedAt());
    }
  }

  @Test
  void statusesUseOpenAiNames() {
    assertEquals(
        List.of("new", "validating", "in_progress", "finalizing", "completed", "failed", "expired", "cancelling",
            "cancelled"),
        Arrays.stream(BatchStatus.values()).map(BatchStatus::wireName).collect(Collectors.toList()));
    assertEquals(
        List.of(BatchStatus.COMPLETED, BatchStatus.FAILED, BatchStatus.EXPIRED, BatchStatus.CANCELLED),
        Arrays.stream(BatchStatus.values()).filter(BatchStatus::isTerminal).collect(Collectors.toList()));
  }
}
