package io.baton.actors.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.baton.actors.ActorsSettings;
import io.baton.actors.Rejection;
import io.baton.actors.batch.BatchCommand.*;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResultWithReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/** One actor system for the batch tests, a fresh batch per test, and a clock the test moves. */
abstract class BatchTestBase {
  static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");
  static final String INPUT = "file-input";
  static final String CHAT = "/v1/chat/completions";
  static final String WINDOW = "24h";
  static final Map<String, String> METADATA = Map.of("project", "nightly-eval");
  static final LineError ERROR = LineError.of("input_file_missing", "the input file is gone");

  static ActorTestKit testKit;
  static ActorsSettings settings;

  final MovableClock clock = new MovableClock(T0);
  String batchId;
  EventSourcedBehaviorTestKit<BatchCommand, BatchEvent, BatchState> kit;

  @BeforeAll
  static void startSystem() {
    Config config = EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load());
    testKit = ActorTestKit.create(config);
    settings = ActorsSettings.fromConfig(ConfigFactory.load());
  }

  @AfterAll
  static void stopSystem() {
    testKit.shutdownTestKit();
  }

  /** A new batch id each time, because the in-memory journal outlives a test. */
  @BeforeEach
  void newBatch() {
    batchId = "batch_" + UUID.randomUUID();
    clock.set(T0);
    kit = EventSourcedBehaviorTestKit.create(
        testKit.system(), Batch.create(batchId, settings, clock, Optional.empty()));
  }

  CommandResultWithReply<BatchCommand, BatchEvent, BatchState, Reply> run(
      Function<ActorRef<Reply>, BatchCommand> command) {
    return kit.runCommand(command);
  }

  CommandResultWithReply<BatchCommand, BatchEvent, BatchState, Reply> create() {
    return run(r -> new Create(INPUT, CHAT, WINDOW, METADATA, "alice", r));
  }

  CommandResultWithReply<BatchCommand, BatchEvent, BatchState, Reply> report(List<Integer> ok, List<Integer> failed) {
    return run(r -> new ReportRequests(ok, failed, r));
  }

  /** The command is refused for {@code reason}, and neither journal nor state changes. */
  CommandResultWithReply<BatchCommand, BatchEvent, BatchState, Reply> assertRejected(
      Rejection.Reason reason, Function<ActorRef<Reply>, BatchCommand> command) {
    BatchState before = kit.getState();
    var result = run(command);
    Rejected rejected = assertInstanceOf(Rejected.class, result.reply(), () -> result.command().toString());
    assertEquals(reason, rejected.rejection().reason(), rejected.rejection().detail());
    assertTrue(result.hasNoEvents());
    assertEquals(before, result.state());
    return result;
  }

  /** The command is acknowledged without persisting anything: an idempotent retry. */
  void assertAcknowledged(Function<ActorRef<Reply>, BatchCommand> command) {
    BatchState before = kit.getState();
    var result = run(command);
    assertEquals(new Accepted(before.status(), before.requestCounts()), result.reply());
    assertTrue(result.hasNoEvents());
    assertEquals(before, result.state());
  }

  static void assertAccepted(BatchStatus status, CommandResultWithReply<?, ?, ?, Reply> result) {
    Accepted accepted = assertInstanceOf(Accepted.class, result.reply(), () -> String.valueOf(result.reply()));
    assertEquals(status, accepted.status());
  }

  /**
   * Drives the fresh batch into {@code status}. Three requests: in progress, line 0 has succeeded
   * and line 1 failed; finalizing, line 2 has succeeded too.
   */
  void reach(BatchStatus status) {
    assertAccepted(BatchStatus.VALIDATING, create());
    switch (status) {
      case VALIDATING:
        return;
      case FAILED:
        assertAccepted(BatchStatus.FAILED, run(r -> new Fail(List.of(ERROR), r)));
        return;
      default:
        break;
    }
    assertAccepted(BatchStatus.IN_PROGRESS, run(r -> new MarkValidated(3, List.of(), r)));
    assertAccepted(BatchStatus.IN_PROGRESS, report(List.of(0), List.of(1)));
    switch (status) {
      case IN_PROGRESS:
        return;
      case FINALIZING:
      case COMPLETED:
        assertAccepted(BatchStatus.IN_PROGRESS, report(List.of(2), List.of()));
        assertAccepted(BatchStatus.FINALIZING, run(Finalize::new));
        break;
      case CANCELLING:
      case CANCELLED:
        assertAccepted(BatchStatus.CANCELLING, run(r -> new Cancel("no longer needed", r)));
        break;
      case EXPIRED:
        clock.advance(Duration.ofHours(24));
        assertAccepted(BatchStatus.EXPIRED, run(r -> new Expire("file-out", "file-err", r)));
        return;
      default:
        throw new IllegalArgumentException("cannot reach " + status);
    }
    if (status.isTerminal()) {
      assertAccepted(status, run(r -> new Complete("file-out", "file-err", r)));
    }
    assertEquals(status, kit.getState().status());
  }

  /** Every command but Create and GetState, with arguments valid in the state that allows it. */
  static List<Function<ActorRef<Reply>, BatchCommand>> everyMutation() {
    return List.of(
        r -> new MarkValidated(3, List.of(), r),
        r -> new ReportRequests(List.of(0), List.of(), r),
        Finalize::new,
        r -> new Complete("file-out", "file-err", r),
        r -> new Fail(List.of(ERROR), r),
        r -> new Cancel("stop", r),
        r -> new Expire("file-out", "file-err", r));
  }

  static List<Integer> range(int from, int to) {
    return IntStream.range(from, to).boxed().collect(Collectors.toList());
  }

  /** A clock that stands still until the test moves it, so event times are exact. */
  static final class MovableClock extends Clock {
    private volatile Instant now;

    MovableClock(Instant now) {
      this.now = now;
    }

    void set(Instant instant) {
      now = instant;
    }

    void advance(Duration duration) {
      now = now.plus(duration);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }
}
