package io.baton.orchestrator.feed;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.baton.actors.feed.FeedEntry;
import io.baton.actors.feed.FeedEvent;
import io.baton.actors.feed.RecentSession;
import io.baton.orchestrator.OrchestratorSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A node's copy of the admin feed: history then live with nothing missed or repeated, resume after
 * an id it holds or from the time of one it does not, a bounded history, and the console's lists.
 */
class AdminFeedHubTest {
  private static ActorTestKit testKit;
  private ActorRef<Topic.Command<FeedEntry>> topic;
  private ActorRef<AdminFeedHub.Command> hub;

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create();
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @AfterEach
  void stopHub() {
    // A hub asks any other for the history it missed: one test's hub must not feed the next's.
    testKit.stop(hub);
  }

  @BeforeEach
  void newHub() {
    topic = testKit.spawn(Topic.create(FeedEntry.class, "feed-" + System.nanoTime()));
    hub = testKit.spawn(AdminFeedHub.create(new OrchestratorSettings.Feed(5, Duration.ofMinutes(30), 2), topic));
    // The hub subscribes as it starts: entries published before that would not reach it.
    TestProbe<Topic.TopicStats> stats = testKit.createTestProbe();
    stats.awaitAssert(() -> {
      topic.tell(Topic.getTopicStats(stats.ref()));
      assertEquals(1, stats.receiveMessage().localSubscriberCount());
      return null;
    });
  }

  private static FeedEntry entry(long millis, int seq, FeedEvent event) {
    return new FeedEntry(millis + "-node-1-" + seq, Instant.ofEpochMilli(millis), "node-1", event);
  }

  private static FeedEvent pool(int active) {
    return new FeedEvent.PoolLevel("m", 3, active, 0);
  }

  private static List<String> ids(TestProbe<FeedEntry> probe, int n) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ids.add(probe.receiveMessage().id());
    }
    return ids;
  }

  @Test
  void aFollowerGetsTheHistoryThenEveryNewEntryOnce() {
    FeedEntry a = entry(1000, 1, pool(1));
    FeedEntry b = entry(2000, 2, pool(2));
    TestProbe<FeedEntry> early = testKit.createTestProbe();
    hub.tell(new AdminFeedHub.Follow(early.ref(), Optional.empty()));
    topic.tell(Topic.publish(a));
    topic.tell(Topic.publish(b));
    ids(early, 2);
    TestProbe<FeedEntry> late = testKit.createTestProbe();
    hub.tell(new AdminFeedHub.Follow(late.ref(), Optional.empty()));
    assertEquals(List.of(a.id(), b.id()), ids(late, 2));
    FeedEntry c = entry(3000, 3, pool(3));
    topic.tell(Topic.publish(c));
    topic.tell(Topic.publish(c)); // heard twice (a healed partition): held and sent once
    late.expectMessage(c);
  }

  @Test
  void resumesAfterAKnownIdAndFromTheTimeOfAnUnknownOne() {
    FeedEntry a = entry(1000, 1, pool(1));
    FeedEntry b = entry(2000, 2, pool(2));
    FeedEntry c = entry(3000, 3, pool(3));
    TestProbe<FeedEntry> first = testKit.createTestProbe();
    hub.tell(new AdminFeedHub.Follow(first.ref(), Optional.empty()));
    topic.tell(Topic.publish(a));
    topic.tell(Topic.publish(b));
    topic.tell(Topic.publish(c));
    assertEquals(List.of(a.id(), b.id(), c.id()), ids(first, 3));

    TestProbe<FeedEntry> resumed = testKit.createTestProbe();
    hub.tell(new AdminFeedHub.Follow(resumed.ref(), Optional.of(a.id())));
    assertEquals(List.of(b.id(), c.id()), ids(resumed, 2));
    resumed.expectNoMessage(Duration.ofMillis(50));

    // An id given by another node, at 2000 ms: everything from that time on (the client drops repeats).
    TestProbe<FeedEntry> elsewhere = testKit.createTestProbe();
    hub.tell(new AdminFeedHub.Follow(elsewhere.ref(), Optional.of("2000-node-2-9")));
    assertEquals(List.of(b.id(), c.id()), ids(elsewhere, 2));
  }

  @Test
  void theHistoryKeepsTheNewestEntriesAndTheListsKeepTheirLatest() {
    TestProbe<FeedEntry> live = testKit.createTestProbe();
    hub.tell(new AdminFeedHub.Follow(live.ref(), Optional.empty()));
    List<FeedEntry> all = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      FeedEntry e = entry(1000 + i, i, new FeedEvent.SessionSubmitted("s-" + i, "t", "m", "interactive", null));
      all.add(e);
      topic.tell(Topic.publish(e));
    }
    FeedEntry level = entry(2000, 99, pool(2));
    topic.tell(Topic.publish(level));
    ids(live, 8);
    TestProbe<FeedEntry> late = testKit.createTestProbe();
    hub.tell(new AdminFeedHub.Follow(late.ref(), Optional.empty()));
    // History of 5: the last four sessions and the pool level.
    assertEquals(List.of(all.get(3).id(), all.get(4).id(), all.get(5).id(), all.get(6).id(), level.id()),
        ids(late, 5));

    TestProbe<List<RecentSession>> sessions = testKit.createTestProbe();
    hub.tell(new AdminFeedHub.GetSessions(sessions.ref()));
    assertEquals(List.of("s-6", "s-5"), sessions.receiveMessage().stream().map(RecentSession::id).toList(),
        "the two most recently changed, newest first");
    TestProbe<List<FeedEvent.PoolLevel>> pools = testKit.createTestProbe();
    hub.tell(new AdminFeedHub.GetPools(pools.ref()));
    assertEquals(List.of(pool(2)), pools.receiveMessage());
  }

  @Test
  void aHubThatStartsLateFillsItsHistoryFromAnOlderOne() {
    FeedEntry a = entry(1000, 1, new FeedEvent.SessionSubmitted("s-1", "t", "m", "interactive", null));
    FeedEntry b = entry(2000, 2, pool(2));
    TestProbe<FeedEntry> first = testKit.createTestProbe();
    hub.tell(new AdminFeedHub.Follow(first.ref(), Optional.empty()));
    topic.tell(Topic.publish(a));
    topic.tell(Topic.publish(b));
    ids(first, 2);

    ActorRef<AdminFeedHub.Command> late = testKit.spawn(
        AdminFeedHub.create(new OrchestratorSettings.Feed(5, Duration.ofMinutes(30), 2), topic));
    try {
      TestProbe<List<FeedEvent.PoolLevel>> pools = testKit.createTestProbe();
      pools.awaitAssert(() -> {
        late.tell(new AdminFeedHub.GetPools(pools.ref()));
        assertEquals(List.of(pool(2)), pools.receiveMessage());
        return null;
      });
      TestProbe<FeedEntry> follower = testKit.createTestProbe();
      late.tell(new AdminFeedHub.Follow(follower.ref(), Optional.empty()));
      assertEquals(List.of(a.id(), b.id()), ids(follower, 2));
      TestProbe<List<RecentSession>> sessions = testKit.createTestProbe();
      late.tell(new AdminFeedHub.GetSessions(sessions.ref()));
      assertEquals("s-1", sessions.receiveMessage().get(0).id());
    } finally {
      testKit.stop(late);
    }
  }
}
