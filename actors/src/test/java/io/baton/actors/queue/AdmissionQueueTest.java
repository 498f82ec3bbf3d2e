package io.baton.actors.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.baton.actors.queue.QueueCommand.Leave;
import io.baton.actors.queue.QueueCommand.LoadHeard;
import io.baton.actors.queue.QueueCommand.Wait;
import io.baton.actors.queue.QueueEvent.Admitted;
import io.baton.actors.queue.QueueEvent.Enqueued;
import io.baton.actors.queue.QueueEvent.Left;
import io.baton.actors.session.ServiceClass;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A model's queue admits as many waiters as the GPUs' reports show room for, in order; an
 * interactive waiter with no room preempts; its waiters and attained service survive a restart.
 * The tick is an hour, so only the commands sent here act. The testkit round-trips every event and
 * the state through serialization.
 */
class AdmissionQueueTest {
  static final QueueSettings SETTINGS = new QueueSettings(0.25, Duration.ofSeconds(1), Duration.ofSeconds(3),
      Duration.ofHours(1), Duration.ofHours(2), Map.of(ServiceClass.INTERACTIVE, Duration.ofSeconds(30),
          ServiceClass.BATCH, Duration.ofMinutes(10), ServiceClass.BACKGROUND, Duration.ofMinutes(30)));

  record Preempted(GpuLoad.Run run, String gpuId) {}

  static ActorTestKit testKit;
  TestProbe<String> admitted;
  TestProbe<Preempted> preempted;
  TestProbe<QueueSummary> published;
  EventSourcedBehaviorTestKit<QueueCommand, QueueEvent, QueueState> kit;

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create(EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load()));
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void newQueue() {
    admitted = testKit.createTestProbe();
    preempted = testKit.createTestProbe();
    published = testKit.createTestProbe();
    QueueHooks hooks = new QueueHooks() {
      @Override
      public void watchLoads(String model, ActorContext<QueueCommand> context, ActorRef<GpuLoad> to) {}

      @Override
      public void publish(QueueSummary summary) {
        published.ref().tell(summary);
      }

      @Override
      public void admit(String sessionId) {
        admitted.ref().tell(sessionId);
      }

      @Override
      public void preempt(GpuLoad.Run run, String gpuId, String reason) {
        preempted.ref().tell(new Preempted(run, gpuId));
      }
    };
    kit = EventSourcedBehaviorTestKit.create(testKit.system(), AdmissionQueue.create("model-" + UUID.randomUUID(),
        SETTINGS, hooks, tenant -> tenant.equals("heavy") ? 3 : 1));
  }

  static Wait waits(String id, String tenant, ServiceClass cls) {
    return new Wait("m", id, tenant, cls.rank(), 32, false, Instant.now());
  }

  static LoadHeard load(int free, GpuLoad.Run... runs) {
    return new LoadHeard(new GpuLoad("gpu-1", "m", true, free, List.of(runs), Instant.now()));
  }

  static GpuLoad.Run run(String id, ServiceClass cls, Duration ago) {
    return new GpuLoad.Run(id, 1, cls.rank(), Instant.now().minus(ago), false);
  }

  /** A run of a session that was preempted before: protected for the minimum run time. */
  static GpuLoad.Run resumed(String id, ServiceClass cls, Duration ago) {
    return new GpuLoad.Run(id, 2, cls.rank(), Instant.now().minus(ago), true);
  }

  @Test
  void admitsAsManyAsTheReportsHaveRoomForAndCountsThemUntilSeenRunning() {
    assertInstanceOf(Enqueued.class, kit.runCommand(waits("b1", "a", ServiceClass.BATCH)).event());
    kit.runCommand(waits("i1", "b", ServiceClass.INTERACTIVE));
    Admitted first = (Admitted) kit.runCommand(load(1)).event();
    assertEquals(List.of("i1"), first.sessionIds(), "the interactive waiter first");
    assertEquals("i1", admitted.receiveMessage());
    // The same report again: its one place is promised to i1 already.
    assertTrue(kit.runCommand(load(1)).hasNoEvents());
    // A report that shows i1 running, with a place free again: b1's turn.
    Admitted second = (Admitted) kit.runCommand(load(1, run("i1", ServiceClass.INTERACTIVE, Duration.ZERO))).event();
    assertEquals(List.of("b1"), second.sessionIds());
    assertEquals(0, kit.getState().waiters().size());
    assertEquals(64.0, kit.getState().attainedBy("a") + kit.getState().attainedBy("b"));
  }

  @Test
  void aRepeatedWaitWritesNothingAndALeaveRemovesTheWaiter() {
    Wait w = waits("x", "a", ServiceClass.BATCH);
    kit.runCommand(w);
    assertTrue(kit.runCommand(w).hasNoEvents());
    assertInstanceOf(Left.class, kit.runCommand(new Leave("m", "x", "cancelled")).event());
    assertTrue(kit.runCommand(new Leave("m", "x", "cancelled")).hasNoEvents());
  }

  @Test
  void anInteractiveWaiterPreemptsTheNewestLowestClassRunThatRanLongEnough() {
    kit.runCommand(load(0,
        run("batch-old", ServiceClass.BATCH, Duration.ofSeconds(30)),
        run("background-old", ServiceClass.BACKGROUND, Duration.ofSeconds(20)),
        run("background-newer", ServiceClass.BACKGROUND, Duration.ofSeconds(5)),
        run("background-too-new", ServiceClass.BACKGROUND, Duration.ofMillis(100)),
        run("interactive", ServiceClass.INTERACTIVE, Duration.ofSeconds(40))));
    kit.runCommand(waits("batch-waiter", "a", ServiceClass.BATCH));
    preempted.expectNoMessage(Duration.ofMillis(50)); // only an interactive waiter preempts
    kit.runCommand(waits("i1", "a", ServiceClass.INTERACTIVE));
    assertEquals("background-newer", preempted.receiveMessage().run().sessionId());
    // One preemption in flight per interactive waiter.
    kit.runCommand(waits("i1", "a", ServiceClass.INTERACTIVE));
    preempted.expectNoMessage(Duration.ofMillis(50));
    kit.runCommand(waits("i2", "a", ServiceClass.INTERACTIVE));
    assertEquals("background-old", preempted.receiveMessage().run().sessionId());
    kit.runCommand(waits("i3", "a", ServiceClass.INTERACTIVE));
    assertEquals("batch-old", preempted.receiveMessage().run().sessionId(), "the lowest class goes first");
  }

  @Test
  void aSessionPreemptedBeforeGoesOnlyWhenNoOtherOfItsClassCan() {
    kit.runCommand(load(0, resumed("resumed", ServiceClass.BATCH, Duration.ofSeconds(2)),
        run("first", ServiceClass.BATCH, Duration.ofSeconds(5)), run("young", ServiceClass.BATCH, Duration.ZERO)));
    kit.runCommand(waits("i1", "a", ServiceClass.INTERACTIVE));
    assertEquals("first", preempted.receiveMessage().run().sessionId(), "older, but never preempted yet");
    kit.runCommand(waits("i2", "a", ServiceClass.INTERACTIVE));
    assertEquals("resumed", preempted.receiveMessage().run().sessionId());
    kit.runCommand(waits("i3", "a", ServiceClass.INTERACTIVE));
    preempted.expectNoMessage(Duration.ofMillis(50)); // "young" has not run the minimum run time
  }

  @Test
  void anAdmittedInteractiveSessionStillWithoutAPlacePreemptsLikeAWaiter() {
    Instant queued = Instant.now();
    kit.runCommand(new Wait("m", "i1", "a", ServiceClass.INTERACTIVE.rank(), 32, false, queued));
    kit.runCommand(load(1)); // a stale report: the place it shows is gone by the time i1 asks
    assertEquals("i1", admitted.receiveMessage());
    kit.runCommand(load(0, run("batch", ServiceClass.BATCH, Duration.ofSeconds(5))));
    preempted.expectNoMessage(Duration.ofMillis(50)); // admitted moments ago: it may be placed yet
    // Its placement retry says it is still without a place (same queued time): it needs one now.
    assertTrue(kit.runCommand(new Wait("m", "i1", "a", ServiceClass.INTERACTIVE.rank(), 32, false, queued))
        .hasNoEvents());
    assertEquals("batch", preempted.receiveMessage().run().sessionId());
  }

  @Test
  void whenTheVictimHasGoneTheInteractiveWaiterIsAdmittedBeforeIt() {
    kit.runCommand(load(0, run("batch", ServiceClass.BATCH, Duration.ofSeconds(30))));
    kit.runCommand(waits("i1", "a", ServiceClass.INTERACTIVE));
    assertEquals("batch", preempted.receiveMessage().run().sessionId());
    kit.runCommand(new Wait("m", "batch", "a", ServiceClass.BATCH.rank(), 16, true, Instant.now()));
    Admitted next = (Admitted) kit.runCommand(load(1)).event();
    assertEquals(List.of("i1"), next.sessionIds());
    assertTrue(kit.getState().waiter("batch").orElseThrow().resuming());
  }

  @Test
  void aPlaceFreedByAPreemptionStaysInFlightUntilTheInteractiveSessionRuns() {
    Instant queued = Instant.now();
    kit.runCommand(load(0, run("batch-1", ServiceClass.BATCH, Duration.ofSeconds(30)),
        run("batch-2", ServiceClass.BATCH, Duration.ofSeconds(20))));
    kit.runCommand(new Wait("m", "i1", "a", ServiceClass.INTERACTIVE.rank(), 32, false, queued));
    assertEquals("batch-2", preempted.receiveMessage().run().sessionId());
    // batch-2 gave its place up: i1 is admitted to it.
    kit.runCommand(load(1, run("batch-1", ServiceClass.BATCH, Duration.ofSeconds(30))));
    assertEquals("i1", admitted.receiveMessage());
    // i1's placer has not heard that report yet: its retry says it still has no place. The place
    // freed for it is on its way, so batch-1 keeps running.
    kit.runCommand(new Wait("m", "i1", "a", ServiceClass.INTERACTIVE.rank(), 32, false, queued));
    preempted.expectNoMessage(Duration.ofMillis(50));
    // Once i1 runs, the next interactive waiter needs a place of its own.
    kit.runCommand(load(0, run("batch-1", ServiceClass.BATCH, Duration.ofSeconds(30)),
        run("i1", ServiceClass.INTERACTIVE, Duration.ZERO)));
    kit.runCommand(waits("i2", "a", ServiceClass.INTERACTIVE));
    assertEquals("batch-1", preempted.receiveMessage().run().sessionId());
  }

  @Test
  void waitersAndAttainedServiceSurviveARestart() {
    kit.runCommand(waits("h1", "heavy", ServiceClass.BATCH));
    kit.runCommand(waits("l1", "light", ServiceClass.BATCH));
    kit.runCommand(load(1));
    QueueState before = kit.getState();
    kit.restart();
    assertEquals(before, kit.getState());
    assertEquals(1, kit.getState().waiters().size());
  }

  /** The manifests name the stored events: renaming one breaks existing journals. */
  @Test
  void queueEventManifestsAreAStoredSchema() {
    Serialization serialization = SerializationExtension.get(Adapter.toClassic(testKit.system()));
    List<QueueEvent> events = List.of(new Enqueued("s", "t", 1, 0, 1, false, Instant.EPOCH, Instant.EPOCH),
        new Admitted(List.of("s"), Instant.EPOCH), new Left("s", "why", Instant.EPOCH));
    assertEquals(List.of("Enqueued", "Admitted", "Left").stream().map(n -> "io.baton.actors.queue.QueueEvent$" + n)
        .toList(), events.stream().map(e -> Serializers.manifestFor(serialization.findSerializerFor(e), e)).toList());
    for (QueueEvent e : events) {
      assertEquals(e, testKit.serializationTestKit().verifySerialization(e, true));
    }
  }

  @Test
  void theSummaryTellsEveryNodeWhoWaitsAndHowFastTheQueueMoves() {
    kit.runCommand(waits("i1", "a", ServiceClass.INTERACTIVE));
    kit.runCommand(waits("b1", "heavy", ServiceClass.BATCH));
    kit.runCommand(load(1));
    QueueSummary s = published.fishForMessage(Duration.ofSeconds(3), q -> q.admitted() == 1
        ? org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.complete()
        : org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.continueAndIgnore()).get(0);
    assertEquals(List.of(0, 1, 0), s.waitingByRank());
    assertEquals(1, s.waitingAtOrAbove(ServiceClass.BATCH));
    assertEquals(0, s.waitingAtOrAbove(ServiceClass.INTERACTIVE));
    assertTrue(s.admitRate() > 0);
    assertEquals(Duration.ZERO, s.expectedWait(ServiceClass.INTERACTIVE));
    assertEquals(1.0, s.share("a"));
  }
}
