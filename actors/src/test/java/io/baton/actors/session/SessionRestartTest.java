package io.baton.actors.session;

import static io.baton.actors.Rejection.Reason.ALREADY_TERMINAL;
import static io.baton.actors.Rejection.Reason.STALE_ATTEMPT;
import static io.baton.actors.session.SessionStatus.COMPLETED;
import static io.baton.actors.session.SessionStatus.GENERATING;
import static io.baton.actors.session.SessionStatus.PENDING;
import static io.baton.actors.session.SessionStatus.PLACED;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.actors.ActorsSettings;
import io.baton.actors.session.SessionCommand.Accepted;
import io.baton.actors.session.SessionEvent.*;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.persistence.testkit.SnapshotMeta;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.SnapshotTestKit;
import org.junit.jupiter.api.Test;

/** Recovery: a restarted session, from events alone or from a snapshot, is the session it was. */
class SessionRestartTest extends SessionTestBase {

  /** Two attempts, a checkpoint, a failure: every kind of event but the terminal ones. */
  private void failOver() {
    generating(12);
    persists(KvCheckpointed.class, new Accepted(GENERATING, 1, 12), checkpoint(1, 32, "h0", "h1"));
    persists(AttemptFailed.class, new Accepted(PENDING, 1, 12), failAttempt(1, XID_79));
    persists(Placed.class, new Accepted(PLACED, 2, 12), place(2, "gpu-b", ResumeMethod.KV_RESTORE));
    persists(TokensAppended.class, new Accepted(GENERATING, 2, 15), append(2, 12, tokens(12, 3)));
  }

  @Test
  void restartRecoversTheSameStateFromEvents() {
    failOver();
    SessionState before = kit.getState();
    assertEquals(before, kit.restart().state());
    assertEquals(before, kit.getState());
    assertEquals(before, replayJournal(), "the journal alone rebuilds the state");

    // The recovered session still fences the old attempt and continues the log where it was.
    rejects(STALE_ATTEMPT, append(1, 15, tokens(15, 1)));
    acknowledgesWithoutEvent(new Accepted(GENERATING, 2, 15), append(2, 12, tokens(12, 3)));
    persists(TokensAppended.class, new Accepted(GENERATING, 2, 17), append(2, 15, tokens(15, 2)));
    persists(Completed.class, new Accepted(COMPLETED, 2, 17), complete(2, "stop"));

    SessionState ended = kit.getState();
    assertEquals(ended, kit.restart().state());
    assertEquals(ended, replayJournal());
    rejects(ALREADY_TERMINAL, cancel("too late"));
  }

  @Test
  void restartRecoversTheSameStateFromASnapshot() {
    ActorsSettings everyThree = settings.withSnapshotEvery(3);
    kit = EventSourcedBehaviorTestKit.create(testKit.system(), Session.create(sessionId, everyThree));
    failOver(); // 6 events
    persists(Completed.class, new Accepted(COMPLETED, 2, 15), complete(2, "stop")); // 7 events

    SnapshotTestKit snapshots = kit.snapshotTestKit().orElseThrow();
    // Snapshots are saved after the event that triggers them, asynchronously.
    Pair<SnapshotMeta, Object> sixth = await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> snapshots.persistedInStorage(persistenceId()).stream()
            .filter(p -> p.first().sequenceNr() == 6).findFirst(), Optional::isPresent)
        .orElseThrow();
    assertEquals(replayJournal(6), sixth.second(), "the snapshot is the state after its events");

    SessionState before = kit.getState();
    assertEquals(before, kit.restart().state());
    rejects(ALREADY_TERMINAL, append(2, 15, tokens(15, 1)));
  }

  @Test
  void aFailedJournalWriteRestartsTheSessionWithoutTheLostChunk() {
    generating(3);
    kit.persistenceTestKit().failNextPersisted(persistenceId());
    assertThrows(AssertionError.class, () -> run(append(1, 3, List.of(-7, -8))), "the write failed: no reply");
    // Restarted with backoff and recovered from the journal, the session goes on where it was.
    assertEquals(tokens(0, 3), kit.getState().tokens());
    assertEquals(3, kit.persistenceTestKit().persistedInStorage(persistenceId()).size(), "nothing of the lost write");
    persists(TokensAppended.class, new Accepted(GENERATING, 1, 5), append(1, 3, tokens(3, 2)));
    assertEquals(kit.getState(), replayJournal());
  }

  @Test
  void restartOfAFreshSessionIsStillEmpty() {
    assertEquals(SessionState.empty(sessionId), kit.restart().state());
    submitted();
    SessionState pending = kit.getState();
    assertEquals(pending, kit.restart().state());
    assertFalse(pending.status().isTerminal());
  }

  private SessionState replayJournal() {
    return replayJournal(Integer.MAX_VALUE);
  }

  /** The state after the first {@code count} journaled events, folded with the entity's own event handler. */
  private SessionState replayJournal(int count) {
    List<Object> journal = kit.persistenceTestKit().persistedInStorage(persistenceId());
    assertTrue(count == Integer.MAX_VALUE || count <= journal.size());
    SessionState s = SessionState.empty(sessionId);
    for (Object event : journal.subList(0, Math.min(count, journal.size()))) {
      s = s.apply((SessionEvent) event);
    }
    return s;
  }
}
