package io.baton.actors.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.baton.actors.ActorsSettings;
import io.baton.actors.session.SessionCommand.*;
import io.baton.actors.session.SessionEvent.*;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The attempt protocol as the session runs it (DESIGN.md, "Attempts: the session decides"): one
 * write for Submitted and Placed, the grant, a refusal moving to the next candidate in one write,
 * the lease and its renewal, and hints. Time is Pekko's {@link ManualTime}: no test waits for a
 * clock, and every timing relation is exact.
 */
class SessionAttemptProtocolTest {
  private static final List<Integer> PROMPT = List.of(1000, 1001, 1002);
  private static final SessionSpec SPEC =
      new SessionSpec("baton-small", PROMPT, new SessionSpec.Sampling(0, 1, 7L), 32, "tenant-a", 0, null);
  private static final FailureCause XID_79 = FailureCause.xid(79, "node-fatal", "GPU has fallen off the bus");

  private static ActorTestKit testKit;
  private static ManualTime time;
  private static ActorsSettings settings;

  private TestProbe<Object> heard;
  /** What the node's loss watch hears: grants to watch, and attempts that ended. */
  private TestProbe<Object> nodeWatch;
  private TestProbe<Grant> gpuA;
  private TestProbe<Grant> gpuB;
  private TestProbe<Reply> client;
  private ActorRef<SessionCommand> placer;
  private EventSourcedBehaviorTestKit<SessionCommand, SessionEvent, SessionState> kit;

  record NeedsPlacement(int attempt) {}

  record TimedOut(String gpuId, int attempt) {}

  record Watch(String gpuId, int attempt, ActorRef<Grant> agent) {}

  record Unwatch() {}

  record RecoveredOn(String gpuId, int attempt) {}

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create(ManualTime.config()
        .withFallback(EventSourcedBehaviorTestKit.config()).withFallback(ConfigFactory.load()));
    time = ManualTime.get(testKit.system());
    settings = ActorsSettings.fromConfig(ConfigFactory.load());
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void session() {
    heard = testKit.createTestProbe();
    nodeWatch = testKit.createTestProbe();
    gpuA = testKit.createTestProbe();
    gpuB = testKit.createTestProbe();
    client = testKit.createTestProbe();
    SessionHooks hooks = new SessionHooks() {
      @Override
      public void needsPlacement(SessionState state, ActorRef<SessionCommand> replyTo) {
        placer = replyTo;
        heard.ref().tell(new NeedsPlacement(state.attempt() + 1));
      }

      @Override
      public void attemptTimedOut(SessionState state, Attempt attempt) {
        heard.ref().tell(new TimedOut(attempt.workerId(), attempt.number()));
      }

      @Override
      public boolean placesOnSubmit() {
        return true;
      }

      @Override
      public void attemptGranted(String sessionId, Attempt attempt, ActorRef<Grant> agent,
          ActorRef<SessionCommand> session) {
        nodeWatch.ref().tell(new Watch(attempt.workerId(), attempt.number(), agent));
      }

      @Override
      public void attemptRecovered(String sessionId, Attempt attempt, ActorRef<SessionCommand> session) {
        nodeWatch.ref().tell(new RecoveredOn(attempt.workerId(), attempt.number()));
      }

      @Override
      public void attemptEnded(String sessionId) {
        nodeWatch.ref().tell(new Unwatch());
      }
    };
    kit = EventSourcedBehaviorTestKit.create(testKit.system(),
        Session.create("chatcmpl-" + UUID.randomUUID(), settings, hooks, Optional.empty()));
  }

  private List<Candidate> candidates() {
    return List.of(new Candidate("gpu-a", ResumeMethod.FRESH, gpuA.ref()),
        new Candidate("gpu-b", ResumeMethod.FRESH, gpuB.ref()));
  }

  /** Submitted and placed on gpu-a by the offer; returns the grant gpu-a received. */
  private Grant submittedAndGranted() {
    var submit = kit.runCommand(new Submit(SPEC, client.ref()));
    assertTrue(submit.hasNoEvents(), "nothing is written before the placer answers");
    assertEquals(new NeedsPlacement(1), heard.receiveMessage());
    var offer = kit.runCommand(new Offer(1, candidates()));
    assertEquals(2, offer.events().size(), "Submitted and Placed go to the journal as one write");
    assertInstanceOf(Submitted.class, offer.events().get(0));
    assertEquals("gpu-a", assertInstanceOf(Placed.class, offer.events().get(1)).workerId());
    assertEquals(new Accepted(SessionStatus.PLACED, 1, 0), client.receiveMessage());
    return gpuA.receiveMessage();
  }

  @Test
  void anOfferedSubmissionIsOneWriteAndTheGrantCarriesWhatTheRunNeeds() {
    Grant grant = submittedAndGranted();
    assertEquals(1, grant.attempt());
    assertEquals(ResumeMethod.FRESH, grant.method());
    assertEquals(SPEC, grant.state().spec());
    assertEquals(SessionStatus.PLACED, grant.state().status());
    gpuB.expectNoMessage(Duration.ofMillis(50));
  }

  @Test
  void withoutAnOfferInTimeTheSessionIsRecordedPendingAndAsksAgain() {
    kit.runCommand(new Submit(SPEC, client.ref()));
    assertEquals(new NeedsPlacement(1), heard.receiveMessage());
    client.expectNoMessage(Duration.ofMillis(50));
    time.timePasses(settings.offerTimeout());
    assertEquals(new Accepted(SessionStatus.PENDING, 0, 0), client.receiveMessage());
    // Pending: the placement timer asks the placer again.
    assertEquals(new NeedsPlacement(1), heard.receiveMessage());
    var offer = kit.runCommand(new Offer(1, candidates()));
    assertInstanceOf(Placed.class, offer.events().get(0));
    assertEquals(1, gpuA.receiveMessage().attempt());
  }

  @Test
  void aRefusedGrantMovesToTheNextCandidateInOneWrite() {
    submittedAndGranted();
    var refused = kit.runCommand(new GrantRefused(1, "gpu-a", "gpu-a is full (8 sessions)"));
    assertEquals(2, refused.events().size(), () -> "events: " + refused.events());
    AttemptFailed failed = assertInstanceOf(AttemptFailed.class, refused.events().get(0));
    assertEquals(FailureCause.Kind.GRANT_REFUSED, failed.cause().kind());
    Placed next = assertInstanceOf(Placed.class, refused.events().get(1));
    assertEquals(new Placed(2, "gpu-b", 0, ResumeMethod.FRESH, next.at()), next);
    assertEquals(2, gpuB.receiveMessage().attempt());
    // A refusal that names another attempt or GPU changes nothing.
    assertTrue(kit.runCommand(new GrantRefused(1, "gpu-a", "late")).hasNoEvents());
    assertTrue(kit.runCommand(new GrantRefused(2, "gpu-a", "wrong gpu")).hasNoEvents());
  }

  @Test
  void anUnconfirmedGrantIsGivenUpAfterTheGrantWindowWithoutBlamingTheGpu() {
    submittedAndGranted();
    time.timePasses(settings.grantWindow().minusMillis(1));
    assertEquals(SessionStatus.PLACED, kit.getState().status());
    time.timePasses(Duration.ofMillis(1));
    assertEquals(new NeedsPlacement(2), heard.receiveMessage());
    Attempt failed = kit.getState().currentAttempt();
    assertEquals(FailureCause.Kind.NODE_UNREACHABLE, failed.failure().kind());
    heard.expectNoMessage(Duration.ofMillis(50)); // no TimedOut: nothing says the GPU hangs
  }

  @Test
  void heartbeatsAndChunksRenewTheLeaseAndSilenceEndsIt() {
    submittedAndGranted();
    kit.runCommand(new Heartbeat(1)); // the runner confirms: the full lease from now
    Duration step = settings.lease().dividedBy(2);
    for (int i = 0; i < 6; i++) {
      time.timePasses(step);
      kit.runCommand(new Heartbeat(1));
    }
    kit.runCommand(new AppendTokens(1, 0, List.of(5, 6), client.ref()));
    assertEquals(SessionStatus.GENERATING, kit.getState().status());
    client.receiveMessage();
    time.timePasses(settings.lease().minusMillis(1));
    assertEquals(SessionStatus.GENERATING, kit.getState().status());
    time.timePasses(Duration.ofMillis(1));
    assertEquals(new TimedOut("gpu-a", 1), heard.receiveMessage());
    assertEquals(new NeedsPlacement(2), heard.receiveMessage());
    SessionState s = kit.getState();
    assertEquals(FailureCause.Kind.LEASE_EXPIRED, s.currentAttempt().failure().kind());
    assertEquals(List.of(5, 6), s.tokens(), "durable tokens survive the lost lease");
  }

  @Test
  void aHintActsAtOnceOnlyWhenItNamesTheRunningAttemptOnItsGpu() {
    submittedAndGranted();
    // The node watches the granted GPU's node from the grant on, before any report lists it.
    assertEquals(new Watch("gpu-a", 1, gpuA.ref()), nodeWatch.receiveMessage());
    assertTrue(kit.runCommand(new Hint(1, "gpu-b", XID_79)).hasNoEvents(), "another GPU");
    assertTrue(kit.runCommand(new Hint(0, "gpu-a", XID_79)).hasNoEvents(), "an older attempt");
    var hinted = kit.runCommand(new Hint(1, "gpu-a", XID_79));
    assertEquals(XID_79, assertInstanceOf(AttemptFailed.class, hinted.events().get(0)).cause());
    assertEquals(new NeedsPlacement(2), heard.receiveMessage());
    assertEquals(new Unwatch(), nodeWatch.receiveMessage(), "an attempt that ended is no longer watched");
    assertTrue(kit.runCommand(new Hint(1, "gpu-a", XID_79)).hasNoEvents(), "the same hint twice");
  }

  @Test
  void aRecoveredRunningAttemptMustHearItsRunnerWithinTheGrantWindow() {
    submittedAndGranted();
    kit.runCommand(new Heartbeat(1));
    kit.restart();
    // The node is asked at once whether that GPU went silent (it may have died with the entity's node).
    nodeWatch.fishForMessage(Duration.ofSeconds(3), m -> m instanceof RecoveredOn r && r.equals(new RecoveredOn("gpu-a", 1))
        ? org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.complete()
        : org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.continueAndIgnore());
    time.timePasses(settings.grantWindow().minusMillis(1));
    kit.runCommand(new Heartbeat(1)); // the runner outlived the entity's node: it keeps the attempt
    time.timePasses(settings.grantWindow());
    assertEquals(SessionStatus.PLACED, kit.getState().status());
    kit.restart();
    time.timePasses(settings.grantWindow());
    assertEquals(new NeedsPlacement(2), heard.fishForMessage(Duration.ofSeconds(3), m -> m instanceof NeedsPlacement
        ? org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.complete()
        : org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.continueAndIgnore()).get(0));
    assertEquals(FailureCause.Kind.NODE_UNREACHABLE, kit.getState().currentAttempt().failure().kind());
  }

  @Test
  void aFollowerGetsEachDurableChunkOnceAndIsDroppedWhenItStops() {
    submittedAndGranted();
    TestProbe<TokenUpdate> follower = testKit.createTestProbe();
    var subscribed = kit.<Subscribed>runCommand(r -> new Subscribe(0, follower.ref(), r));
    assertEquals(0, subscribed.reply().update().tokens().size());
    kit.runCommand(new AppendTokens(1, 0, List.of(5, 6), client.ref()));
    assertEquals(new TokenUpdate(kit.getState().sessionId(), 0, List.of(5, 6), SessionStatus.GENERATING, null),
        follower.receiveMessage());
    follower.stop();
    kit.runCommand(new AppendTokens(1, 2, List.of(7), client.ref()));
    follower.expectNoMessage(Duration.ofMillis(50));
  }
}
