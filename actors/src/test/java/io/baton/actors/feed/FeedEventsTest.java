package io.baton.actors.feed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.actors.batch.BatchEvent;
import io.baton.actors.batch.BatchState;
import io.baton.actors.session.FailureCause;
import io.baton.actors.session.ResumeMethod;
import io.baton.actors.session.SessionEvent;
import io.baton.actors.session.SessionSpec;
import io.baton.actors.session.SessionState;
import io.baton.actors.worker.GpuSpec;
import io.baton.actors.worker.GpuWorkerEvent;
import io.baton.actors.worker.GpuWorkerState;
import io.baton.actors.worker.Pool;
import io.baton.actors.worker.XidClass;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the admin feed says of each entity's events, and that every feed entry crosses the cluster
 * (the feed's topic) unchanged.
 */
class FeedEventsTest {
  private static final Instant AT = Instant.parse("2026-12-01T10:00:00Z");
  private static final GpuSpec GPU = new GpuSpec("node-1", "host-0", 0, "baton-small", 64);
  private static final SessionSpec SPEC = new SessionSpec(
      "baton-small", List.of(1, 2, 3, 4), new SessionSpec.Sampling(0.7, 0.95, 7L), 64, "tenant-a", 3, null,
      List.of());

  private static ActorTestKit testKit;

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create();
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  private static GpuWorkerState gpu(GpuWorkerEvent... events) {
    GpuWorkerState s = GpuWorkerState.empty("gpu-0");
    for (GpuWorkerEvent e : events) {
      s = s.apply(e);
    }
    return s;
  }

  @Test
  void aGpuStatusChangeNamesFromToWhoAndWhyAndAPromotionOfASpareIsItsOwnEvent() {
    GpuWorkerEvent.Registered registered = new GpuWorkerEvent.Registered("gpu-0", GPU, Pool.SPARE, "agent", AT);
    GpuWorkerEvent.Promoted promoted = new GpuWorkerEvent.Promoted("fleet-controller", "pool 1 short", AT);
    GpuWorkerEvent.XidRecorded xid = new GpuWorkerEvent.XidRecorded(48, XidClass.RESET_GPU, "DBE", "agent", AT);
    GpuWorkerEvent.Cordoned cordoned = new GpuWorkerEvent.Cordoned("alice", "fan noise", AT);
    GpuWorkerState after = gpu(registered, promoted, xid, cordoned);

    List<FeedEvent> feed = FeedEvents.ofGpu(List.of(xid, cordoned), after);
    assertEquals(List.of(
        new FeedEvent.XidObserved("gpu-0", "node-1", "baton-small", 48, "reset-gpu", XidClass.RESET_GPU.action(), "DBE",
            "agent"),
        new FeedEvent.GpuStateChanged("gpu-0", "node-1", "host-0", "baton-small", "active", "cordoned", "cordoned",
            "alice", "fan noise")), feed);
    assertEquals(List.of(new FeedEvent.SparePromoted("gpu-0", "node-1", "host-0", "baton-small", "fleet-controller",
        "pool 1 short")), FeedEvents.ofGpu(List.of(promoted), gpu(registered, promoted)));
    assertEquals(List.of(), FeedEvents.ofGpu(List.of(new GpuWorkerEvent.HeartbeatRecorded(AT)), after),
        "heartbeats are not news");
  }

  @Test
  void aResumedAttemptSaysHowMuchOfItsContextCameBackFromKvBlocksAndHowMuchWasRecomputed() {
    SessionState s = SessionState.empty("s-1");
    List<SessionEvent> events = List.of(
        new SessionEvent.Submitted("s-1", SPEC, AT),
        new SessionEvent.Placed(1, "gpu-0", 0, ResumeMethod.FRESH, AT),
        new SessionEvent.TokensAppended(1, 0, List.of(5, 6, 7, 8, 9, 10), AT, 0),
        new SessionEvent.KvCheckpointed(1, 8, List.of("h1", "h2"), AT),
        new SessionEvent.AttemptFailed(1, new FailureCause(FailureCause.Kind.XID, 79, "node-fatal", "XID 79"), AT),
        new SessionEvent.Placed(2, "gpu-1", 6, ResumeMethod.KV_RESTORE, AT));
    for (SessionEvent e : events) {
      s = s.apply(e);
    }
    List<FeedEvent> feed = FeedEvents.ofSession(events, s);
    assertEquals(new FeedEvent.SessionSubmitted("s-1", "tenant-a", "baton-small", SPEC.serviceClass().wireName(), null), feed.get(0));
    assertEquals(new FeedEvent.AttemptPlaced("s-1", "tenant-a", "baton-small", 1, "gpu-0", "fresh", 0, 0, 0),
        feed.get(1));
    assertEquals(new FeedEvent.AttemptFailed("s-1", "tenant-a", "baton-small", 1, "gpu-0", "xid", "node-fatal",
        "XID 79", 6), feed.get(2));
    // 4 prompt + 6 generated tokens of context: 8 in the checkpoint's blocks, 2 prefilled again.
    assertEquals(new FeedEvent.AttemptPlaced("s-1", "tenant-a", "baton-small", 2, "gpu-1", "kv_restore", 6, 8, 2),
        feed.get(3));
    assertEquals(4, feed.size(), "tokens and checkpoints are not on the feed: " + feed);
  }

  @Test
  void aBatchReportsItsCountsOnceItKnowsThem() {
    BatchEvent.Created created = new BatchEvent.Created("b-1", "file-in", "/v1/completions", "24h", Map.of(),
        AT, AT.plusSeconds(86400), "tenant-a");
    BatchState s = BatchState.empty("b-1").apply(created);
    assertEquals(List.of(), FeedEvents.ofBatch(created, s), "no counts yet, nothing to say");
    BatchEvent.InputValidated validated = new BatchEvent.InputValidated(3, List.of(), AT);
    s = s.apply(validated);
    BatchEvent.RequestsFinished finished = new BatchEvent.RequestsFinished(List.of(0, 2), List.of(1), AT);
    s = s.apply(finished);
    assertEquals(List.of(new FeedEvent.BatchProgress("b-1", s.status().name().toLowerCase(), 3, 2, 1)),
        FeedEvents.ofBatch(finished, s));
  }

  static List<FeedEvent> everyEvent() {
    return List.of(
        new FeedEvent.GpuStateChanged("g", "n", "h", "m", "active", "cordoned", "cordoned", "alice", "why"),
        new FeedEvent.SparePromoted("g", "n", "h", "m", "fleet-controller", "short"),
        new FeedEvent.XidObserved("g", "n", "m", 79, "node-fatal", "cordon the host", "XID 79", "agent"),
        new FeedEvent.PoolLevel("m", 3, 2, 1),
        new FeedEvent.SessionSubmitted("s", "t", "m", "batch", "batch_1"),
        new FeedEvent.AttemptPlaced("s", "t", "m", 2, "g", "recompute", 10, 0, 14),
        new FeedEvent.AttemptFailed("s", "t", "m", 1, "g", "preempted", null, "an interactive request", 10),
        new FeedEvent.SessionEnded("s", "t", "m", "completed", 64, 2, "length"),
        new FeedEvent.BatchProgress("b", "in_progress", 10, 4, 1),
        new FeedEvent.QueueChanged("m", 3, List.of(1, 2, 0)),
        new FeedEvent.MemberChanged("pekko://baton@10.0.0.2:25520", "downed", "down", List.of("worker"), "resolver"));
  }

  @Test
  void everyFeedEntryCrossesTheClusterUnchanged() {
    for (FeedEvent e : everyEvent()) {
      testKit.serializationTestKit().verifySerialization(FeedEntry.of("node-1", e), true);
    }
    Set<Class<?>> covered = everyEvent().stream().map(Object::getClass).collect(Collectors.toSet());
    Set<Class<?>> declared = records(FeedEvent.class).collect(Collectors.toSet());
    assertEquals(declared, covered, "every feed event is in this test");
  }

  /** The records under a sealed interface, through the sealed interfaces between. */
  private static Stream<Class<?>> records(Class<?> sealed) {
    return Stream.of(sealed.getPermittedSubclasses()).flatMap(c -> c.isInterface() ? records(c) : Stream.of(c));
  }

  @Test
  void anEntryIdStartsWithItsTimeAndAnythingElseIsNoId() {
    FeedEntry e = FeedEntry.of("node-1", new FeedEvent.PoolLevel("m", 1, 1, 0));
    assertEquals(e.at().toEpochMilli(), FeedEntry.millisOf(e.id()));
    assertTrue(e.id().contains("-node-1-"), e.id());
    assertEquals(-1, FeedEntry.millisOf("garbage"));
    assertEquals(-1, FeedEntry.millisOf(null));
    assertEquals(-1, FeedEntry.millisOf("-5"));
  }
}
