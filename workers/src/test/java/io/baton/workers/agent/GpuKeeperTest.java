package io.baton.workers.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.baton.actors.session.FailureCause;
import io.baton.actors.session.Grant;
import io.baton.actors.session.ResumeMethod;
import io.baton.actors.session.SessionCommand;
import io.baton.actors.session.SessionEvent;
import io.baton.actors.session.SessionSpec;
import io.baton.actors.session.SessionState;
import io.baton.actors.worker.GpuSpec;
import io.baton.actors.worker.GpuStatus;
import io.baton.actors.worker.GpuWorkerCommand;
import io.baton.actors.worker.Pool;
import io.baton.workers.WorkersSettings;
import io.baton.workers.agent.WorkerAgent.AgentGpu;
import io.baton.workers.engine.ReferenceEngine;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One GPU's keeper, against probes for its GpuWorker entity and its sessions, on Pekko's
 * {@link ManualTime}: how it takes grants (DESIGN.md, "Attempts": start at once or refuse, saying
 * why; never fail an attempt itself), and how it walks a GPU through its states: serving, suspect,
 * resetting, checking, and back to serving as a spare, or retired.
 */
class GpuKeeperTest {
  private static final ActorTestKit kit = ActorTestKit.create(ManualTime.config().withFallback(ConfigFactory.load()));
  private static final ManualTime time = ManualTime.get(kit.system());
  private static final String GPU = "host-t-gpu0";
  private static final GpuSpec SPEC = new GpuSpec("node-t", "host-t", 0, "baton-small", 64);
  private static final AgentSettings SETTINGS = new AgentSettings(1, Duration.ofMillis(500), Duration.ofSeconds(2),
      Duration.ofMillis(500), 8, false, false,
      new RunnerSettings(8, Duration.ofMillis(50), false, Duration.ofSeconds(30), Duration.ofMillis(200)));

  private final Map<String, TestProbe<SessionCommand>> sessions = new ConcurrentHashMap<>();
  private TestProbe<GpuWorkerCommand> worker;
  private TestProbe<AgentCommand> agent;
  private FlakyEngine engine;
  private ActorRef<GpuCommand> keeper;

  @AfterAll
  static void stop() {
    kit.shutdownTestKit();
  }

  @BeforeEach
  void keeperOfOneGpu() {
    worker = kit.createTestProbe();
    agent = kit.createTestProbe();
    engine = new FlakyEngine(ReferenceEngine.of(
        WorkersSettings.fromConfig(ConfigFactory.defaultReference()).engine().model("baton-small").orElseThrow(), 64));
    TestProbe<Topic.Command<GpuReport>> reports = kit.createTestProbe();
    GpuLinks links = new GpuLinks(worker.ref(), id -> session(id).ref(), reports.ref(), agent.ref(), "node-t",
        "agent@node-t", null, null, GpuMeters.of(new SimpleMeterRegistry()));
    keeper = kit.spawn(GpuKeeper.create(SETTINGS, new AgentGpu(SPEC, Pool.ACTIVE, engine), links));
  }

  /** Answers the keeper's registration with the status the entity holds. */
  private void registeredAs(GpuStatus status) {
    worker.expectMessageClass(GpuWorkerCommand.Register.class).replyTo().tell(new GpuWorkerCommand.Accepted(status));
    awaitPhase(status == GpuStatus.RETIRED ? "retired" : "serving");
  }

  /** The next change the keeper asks of its entity; heartbeats and state fetches (time passing) aside. */
  private <T extends GpuWorkerCommand> T expectAsked(Class<T> type) {
    List<GpuWorkerCommand> got = worker.fishForMessage(Duration.ofSeconds(3),
        m -> m instanceof GpuWorkerCommand.Heartbeat || m instanceof GpuWorkerCommand.GetState
            ? FishingOutcomes.continueAndIgnore() : FishingOutcomes.complete());
    return type.cast(got.get(got.size() - 1));
  }

  private static void accept(ActorRef<GpuWorkerCommand.Reply> replyTo, GpuStatus status) {
    replyTo.tell(new GpuWorkerCommand.Accepted(status));
  }

  private AgentStatus.Gpu view() {
    TestProbe<AgentStatus.Gpu> views = kit.createTestProbe();
    keeper.tell(new GpuCommand.GetView(views.ref()));
    return views.receiveMessage();
  }

  private void awaitPhase(String phase) {
    worker.awaitAssert(() -> {
      assertEquals(phase, view().phase());
      return null;
    });
  }

  private TestProbe<SessionCommand> session(String id) {
    return sessions.computeIfAbsent(id, k -> kit.createTestProbe());
  }

  private void grant(String sessionId) {
    SessionSpec spec = new SessionSpec("baton-small", List.of(5, 6, 7), new SessionSpec.Sampling(0, 1, 3), 16, "t", 0,
        null);
    SessionState placed = SessionState.empty(sessionId)
        .apply(new SessionEvent.Submitted(sessionId, spec, Instant.now()))
        .apply(new SessionEvent.Placed(1, GPU, 0, ResumeMethod.FRESH, Instant.now()));
    keeper.tell(new GpuCommand.Granted(new Grant(GPU, ResumeMethod.FRESH, placed)));
  }

  private String refusalOf(String sessionId) {
    grant(sessionId);
    return session(sessionId).expectMessageClass(SessionCommand.GrantRefused.class).reason();
  }

  @Test
  void aGrantWithRoomStartsTheRunWhichConfirmsBeforeAnythingElse() {
    registeredAs(GpuStatus.ACTIVE);
    grant("s-1");
    assertEquals(new SessionCommand.Heartbeat(1), session("s-1").receiveMessage());
    // The run goes on from the granted state: its first chunk starts at token 0 of attempt 1.
    SessionCommand.AppendTokens chunk = session("s-1").expectMessageClass(SessionCommand.AppendTokens.class);
    assertEquals(1, chunk.attempt());
    assertEquals(0, chunk.fromIndex());
    assertEquals(List.of("s-1"), view().sessions());
  }

  @Test
  void aFullGpuRefusesAndSaysWhy() {
    registeredAs(GpuStatus.ACTIVE);
    grant("s-1");
    session("s-1").expectMessageClass(SessionCommand.Heartbeat.class);
    assertTrue(refusalOf("s-2").contains("full"));
  }

  @Test
  void aGpuOutOfRotationOrNotYetRegisteredRefuses() {
    assertTrue(refusalOf("s-0").contains("UNREGISTERED"));
    registeredAs(GpuStatus.CORDONED);
    assertTrue(refusalOf("s-1").contains("CORDONED"));
  }

  @Test
  void aRepeatedGrantStartsNoSecondRun() {
    registeredAs(GpuStatus.ACTIVE);
    grant("s-1");
    session("s-1").expectMessageClass(SessionCommand.Heartbeat.class);
    session("s-1").expectMessageClass(SessionCommand.AppendTokens.class);
    grant("s-1");
    // Handled in order: once the next grant is refused (the GPU is full), the repeat was handled too.
    assertTrue(refusalOf("s-2").contains("full"));
    // A second run would confirm again and send token 0 again; the chunk in flight awaits its ack.
    session("s-1").expectNoMessage(Duration.ofMillis(200));
  }

  @Test
  void aResetClassXidMovesTheRunsThenCordonsResetsChecksAndReturnsTheGpuAsSpare() {
    registeredAs(GpuStatus.ACTIVE);
    grant("s-1");
    session("s-1").expectMessageClass(SessionCommand.Heartbeat.class);
    keeper.tell(new GpuCommand.Xid(48, "double-bit ECC error", true));
    accept(expectAsked(GpuWorkerCommand.RecordXid.class).replyTo(), GpuStatus.ACTIVE);
    accept(expectAsked(GpuWorkerCommand.Cordon.class).replyTo(), GpuStatus.CORDONED);
    SessionCommand.Hint hint = session("s-1").fishForMessage(Duration.ofSeconds(3),
        m -> m instanceof SessionCommand.Hint ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore())
        .stream().map(SessionCommand.Hint.class::cast).findFirst().orElseThrow();
    assertEquals(FailureCause.Kind.XID, hint.cause().kind());
    assertTrue(refusalOf("s-2").contains("being reset"));

    accept(expectAsked(GpuWorkerCommand.StartReset.class).replyTo(), GpuStatus.RESETTING);
    awaitPhase("resetting");
    time.timePasses(SETTINGS.resetDuration());
    GpuWorkerCommand.ReportHealthCheck check = expectAsked(GpuWorkerCommand.ReportHealthCheck.class);
    assertTrue(check.passed(), check.reason());
    assertEquals(1, engine.resets());
    accept(check.replyTo(), GpuStatus.SPARE);
    awaitPhase("serving");
    assertEquals(GpuStatus.SPARE, view().status());
    assertFalse(view().remediating());
  }

  @Test
  void aResetThatFailsRetiresTheGpuAtOnceWithTheReason() {
    registeredAs(GpuStatus.ACTIVE);
    engine.failResets();
    keeper.tell(new GpuCommand.EngineLost("connection refused"));
    accept(expectAsked(GpuWorkerCommand.Cordon.class).replyTo(), GpuStatus.CORDONED);
    accept(expectAsked(GpuWorkerCommand.StartReset.class).replyTo(), GpuStatus.RESETTING);
    awaitPhase("resetting");
    time.timePasses(SETTINGS.resetDuration());
    GpuWorkerCommand.ReportResetFailed failed = expectAsked(GpuWorkerCommand.ReportResetFailed.class);
    assertEquals("reset command exited with status 1", failed.reason());
    assertEquals(1, engine.resets());
    accept(failed.replyTo(), GpuStatus.RETIRED);
    awaitPhase("retired");
    assertTrue(refusalOf("s-1").contains("RETIRED"));
  }

  @Test
  void aFailedCheckResetsOnceMoreAndTheEntityRetiresTheGpuAfterTheSecond() {
    registeredAs(GpuStatus.ACTIVE);
    keeper.tell(new GpuCommand.EngineLost("stream broke off"));
    accept(expectAsked(GpuWorkerCommand.Cordon.class).replyTo(), GpuStatus.CORDONED);
    accept(expectAsked(GpuWorkerCommand.StartReset.class).replyTo(), GpuStatus.RESETTING);
    awaitPhase("resetting");
    // The answer the GPU gave when it joined is taken (its check ran) before it starts computing wrongly.
    worker.awaitAssert(() -> {
      assertTrue(engine.started() >= 1);
      return null;
    });
    engine.answerWrongly();
    time.timePasses(SETTINGS.resetDuration());
    GpuWorkerCommand.ReportHealthCheck first = expectAsked(GpuWorkerCommand.ReportHealthCheck.class);
    assertFalse(first.passed());
    assertTrue(first.reason().contains("output differs"), first.reason());
    accept(first.replyTo(), GpuStatus.RESETTING);
    awaitPhase("resetting");
    time.timePasses(SETTINGS.resetDuration());
    GpuWorkerCommand.ReportHealthCheck second = expectAsked(GpuWorkerCommand.ReportHealthCheck.class);
    assertFalse(second.passed());
    accept(second.replyTo(), GpuStatus.RETIRED);
    awaitPhase("retired");
  }

  @Test
  void anEngineThatMissesTheLivenessProbeTakesItsGpuOutAtOnce() {
    registeredAs(GpuStatus.ACTIVE);
    engine.stopAnswering();
    time.timePasses(SETTINGS.reportInterval());
    assertTrue(expectAsked(GpuWorkerCommand.Cordon.class).reason().contains("liveness probe"));
  }

  @Test
  void aGpuFoundSuspectWhenItJoinsIsResetBeforeItServes() {
    worker.expectMessageClass(GpuWorkerCommand.Register.class).replyTo()
        .tell(new GpuWorkerCommand.Accepted(GpuStatus.SUSPECT));
    // Already out of rotation: no cordon, straight to the reset.
    accept(expectAsked(GpuWorkerCommand.StartReset.class).replyTo(), GpuStatus.RESETTING);
    awaitPhase("resetting");
  }

  @Test
  void aNodeFatalXidTakesTheWholeHostOut() {
    registeredAs(GpuStatus.ACTIVE);
    keeper.tell(new GpuCommand.Xid(79, "fell off the bus", true));
    AgentCommand.HostDown down = agent.expectMessageClass(AgentCommand.HostDown.class);
    assertEquals("host-t", down.hostId());
    // The agent tells every keeper of that host, this one included: it cordons.
    keeper.tell(new GpuCommand.HostDown(down.reason(), down.cause()));
    accept(expectAsked(GpuWorkerCommand.RecordXid.class).replyTo(), GpuStatus.ACTIVE);
    GpuWorkerCommand.Cordon cordon = expectAsked(GpuWorkerCommand.Cordon.class);
    assertTrue(cordon.reason().contains("host host-t"), cordon.reason());
  }
}
