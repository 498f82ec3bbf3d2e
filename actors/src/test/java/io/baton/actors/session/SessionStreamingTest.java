package io.baton.actors.session;

import static io.baton.actors.Rejection.Reason.ALREADY_TERMINAL;
import static io.baton.actors.Rejection.Reason.CONFLICT;
import static io.baton.actors.Rejection.Reason.GAP;
import static io.baton.actors.Rejection.Reason.ILLEGAL_STATE;
import static io.baton.actors.Rejection.Reason.INVALID_ARGUMENT;
import static io.baton.actors.Rejection.Reason.LIMIT_EXCEEDED;
import static io.baton.actors.Rejection.Reason.STALE_ATTEMPT;
import static io.baton.actors.session.SessionStatus.CANCELLED;
import static io.baton.actors.session.SessionStatus.COMPLETED;
import static io.baton.actors.session.SessionStatus.FAILED;
import static io.baton.actors.session.SessionStatus.GENERATING;
import static io.baton.actors.session.SessionStatus.PENDING;
import static io.baton.actors.session.SessionStatus.PLACED;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.actors.session.SessionCommand.Accepted;
import io.baton.actors.session.SessionEvent.*;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.testkit.JournalOperation;
import org.apache.pekko.persistence.testkit.ProcessingPolicy;
import org.apache.pekko.persistence.testkit.ProcessingSuccess$;
import org.apache.pekko.persistence.testkit.WriteEvents;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Durable before visible: what the session delivers to its followers is exactly what it persisted,
 * after it persisted it, and nothing for a command that persisted nothing.
 */
class SessionStreamingTest extends SessionTestBase {
  private static final Duration WAIT = Duration.ofSeconds(5);
  private static final Duration QUIET = Duration.ofMillis(300);

  private TestProbe<TokenUpdate> probe;

  /**
   * A client's follower: the probe, subscribed at the entity. No runner heartbeats here, so the
   * lease and grant window are long enough that no attempt fails while a test waits out a write.
   */
  @BeforeEach
  void follower() {
    probe = testKit.createTestProbe(TokenUpdate.class);
    kit = EventSourcedBehaviorTestKit.create(testKit.system(),
        Session.create(sessionId, settings.withLease(Duration.ofMinutes(10), Duration.ofMinutes(5))));
  }

  /**
   * Subscribes the probe at the entity after one durable token; the answer carries the tokens so far
   * and names the entity, and every later chunk reaches the probe. Returns the number of durable tokens.
   */
  private int awaitSubscription() {
    persists(TokensAppended.class, new Accepted(GENERATING, 1, 1), append(1, 0, tokens(0, 1)));
    var result = kit.<SessionCommand.Subscribed>runCommand(r -> new SessionCommand.Subscribe(0, probe.ref(), r));
    assertEquals(new TokenUpdate(sessionId, 0, tokens(0, 1), GENERATING, null), result.reply().update());
    assertTrue(result.reply().entity() != null, "the answer names the entity to watch");
    return kit.getState().tokenCount();
  }

  private TokenUpdate nextUpdate(Duration max) {
    TokenUpdate update = probe.receiveMessage(max);
    assertDurable(update);
    return update;
  }

  /** The journal, read when the update arrives, already holds what the update shows. */
  private void assertDurable(TokenUpdate update) {
    List<Object> journal = kit.persistenceTestKit().persistedInStorage(persistenceId());
    List<Integer> durable = journal.stream()
        .filter(TokensAppended.class::isInstance)
        .map(TokensAppended.class::cast)
        .flatMap(e -> e.tokens().stream())
        .toList();
    assertTrue(update.nextIndex() <= durable.size(),
        () -> "update " + update + " shows tokens beyond the " + durable.size() + " durable ones");
    assertEquals(durable.subList(update.fromIndex(), update.nextIndex()), update.tokens());
    if (update.status().isTerminal()) {
      Object last = journal.get(journal.size() - 1);
      assertEquals(update.status(), SessionState.empty(sessionId).apply((SessionEvent) last).status(),
          () -> "update " + update + " announces an ending the journal does not hold: " + last);
    }
  }

  @Test
  void everyUpdateCarriesExactlyThePersistedChunk() {
    placed();
    int n = awaitSubscription();

    TokensAppended chunk =
        persists(TokensAppended.class, new Accepted(GENERATING, 1, n + 3), append(1, n, tokens(n, 3)));
    assertEquals(new TokenUpdate(sessionId, chunk.fromIndex(), chunk.tokens(), GENERATING, null), nextUpdate(WAIT));

    // Nothing persisted, so nothing published: the next update the probe sees must be the next chunk.
    acknowledgesWithoutEvent(new Accepted(GENERATING, 1, n + 3), append(1, n, tokens(n, 3)));
    rejects(GAP, append(1, n + 4, tokens(n + 4, 1)));
    rejects(CONFLICT, append(1, n, List.of(-1)));
    rejects(INVALID_ARGUMENT, append(1, n + 3, List.of()));
    rejects(ILLEGAL_STATE, append(2, n + 3, tokens(n + 3, 1)));
    rejects(LIMIT_EXCEEDED, append(1, n + 3, tokens(n + 3, 64)));

    // A partial retry publishes only its new suffix, at its durable index.
    chunk = persists(TokensAppended.class, new Accepted(GENERATING, 1, n + 5), append(1, n + 2, tokens(n + 2, 3)));
    assertEquals(new TokenUpdate(sessionId, n + 3, tokens(n + 3, 2), GENERATING, null), nextUpdate(WAIT));
    assertEquals(tokens(n + 3, 2), chunk.tokens());

    // A checkpoint, a failover and the zombie's late flush publish nothing either.
    persists(KvCheckpointed.class, new Accepted(GENERATING, 1, n + 5), checkpoint(1, 16, "h0"));
    persists(AttemptFailed.class, new Accepted(PENDING, 1, n + 5), failAttempt(1, XID_79));
    persists(Placed.class, new Accepted(PLACED, 2, n + 5), place(2, "gpu-b", ResumeMethod.KV_RESTORE));
    rejects(STALE_ATTEMPT, append(1, n + 5, tokens(n + 5, 1)));
    persists(TokensAppended.class, new Accepted(GENERATING, 2, n + 6), append(2, n + 5, tokens(n + 5, 1)));
    assertEquals(new TokenUpdate(sessionId, n + 5, tokens(n + 5, 1), GENERATING, null), nextUpdate(WAIT));

    persists(Completed.class, new Accepted(COMPLETED, 2, n + 6), complete(2, "stop"));
    assertEquals(new TokenUpdate(sessionId, n + 6, List.of(), COMPLETED, "stop"), nextUpdate(WAIT));

    rejects(ALREADY_TERMINAL, append(2, n + 6, tokens(n + 6, 1)));
    rejects(ALREADY_TERMINAL, cancel("too late"));
    probe.expectNoMessage(QUIET);
  }

  /**
   * A failed journal write restarts the session with backoff. The restart must keep its followers:
   * were they lost, every later chunk would reach nobody until the followers' quiet check.
   */
  @Test
  void theChunkAfterAFailedWriteAndTheRestartIsStillPublished() {
    placed();
    int n = awaitSubscription();
    kit.persistenceTestKit().failNextPersisted(persistenceId());
    assertThrows(AssertionError.class, () -> run(append(1, n, List.of(-7, -8))), "the write failed: no reply");
    probe.expectNoMessage(QUIET); // the lost chunk is not visible

    persists(TokensAppended.class, new Accepted(GENERATING, 1, n + 2), append(1, n, tokens(n, 2)));
    assertEquals(new TokenUpdate(sessionId, n, tokens(n, 2), GENERATING, null), nextUpdate(WAIT));
  }

  /** A journal that holds this session's writes until the test lets them through. */
  private ProcessingPolicy<JournalOperation> holdWrites(CountDownLatch writing, CountDownLatch release) {
    return (pid, operation) -> {
      if (operation instanceof WriteEvents && pid.equals(persistenceId())) {
        writing.countDown();
        try {
          assertTrue(release.await(10, TimeUnit.SECONDS), "the test never released the write");
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        }
      }
      return ProcessingSuccess$.MODULE$;
    };
  }

  @Test
  void nothingIsPublishedWhileTheChunkIsBeingWritten() throws Exception {
    placed();
    int n = awaitSubscription();
    CountDownLatch writing = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    kit.persistenceTestKit().withPolicy(holdWrites(writing, release));
    try {
      var pending = CompletableFuture.supplyAsync(() -> run(append(1, n, tokens(n, 2))));
      assertTrue(writing.await(5, TimeUnit.SECONDS), "the chunk reached the journal");
      probe.expectNoMessage(QUIET);
      release.countDown();
      assertEquals(new TokenUpdate(sessionId, n, tokens(n, 2), GENERATING, null), nextUpdate(WAIT));
      assertEquals(new Accepted(GENERATING, 1, n + 2), pending.get(5, TimeUnit.SECONDS).reply());
    } finally {
      release.countDown();
      kit.persistenceTestKit().resetPolicy();
    }
  }

  static Stream<Arguments> endings() {
    return Stream.of(
        Arguments.of(complete(1, "length"), COMPLETED, "length", Completed.class),
        Arguments.of(fail("engine crashed"), FAILED, "engine crashed", Failed.class),
        Arguments.of(cancel("client went away"), CANCELLED, "client went away", Cancelled.class));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("endings")
  void theTerminalEventIsPublishedWithItsStatus(
      Cmd ending, SessionStatus status, String reason, Class<? extends SessionEvent> eventType) {
    placed();
    int n = awaitSubscription();
    SessionEvent e = persists(eventType, new Accepted(status, 1, n), ending);
    TokenUpdate update = nextUpdate(WAIT);
    assertEquals(new TokenUpdate(sessionId, n, List.of(), status, reason), update);
    assertInstanceOf(eventType, e);
    probe.expectNoMessage(QUIET);
  }
}
