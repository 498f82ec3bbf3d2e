package io.baton.workers.agent;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.baton.actors.ActorsSettings;
import io.baton.actors.Rejection;
import io.baton.actors.session.FailureCause;
import io.baton.actors.session.ResumeMethod;
import io.baton.actors.session.Session;
import io.baton.actors.session.SessionCommand;
import io.baton.actors.session.SessionCommand.Accepted;
import io.baton.actors.session.SessionCommand.AppendTokens;
import io.baton.actors.session.SessionCommand.Place;
import io.baton.actors.session.SessionCommand.Rejected;
import io.baton.actors.session.SessionCommand.Reply;
import io.baton.actors.session.SessionCommand.Submit;
import io.baton.actors.session.SessionSpec;
import io.baton.actors.session.SessionState;
import io.baton.actors.session.SessionStatus;
import io.baton.persistence.PersistenceSettings;
import io.baton.persistence.Schema;
import io.baton.persistence.kv.KvBlockStore;
import io.baton.persistence.kv.StoredBlock;
import io.baton.persistence.testing.CassandraTestExtension;
import io.baton.workers.WorkersSettings;
import io.baton.workers.engine.BlockCache;
import io.baton.workers.engine.BlockHash;
import io.baton.workers.engine.Fault;
import io.baton.workers.engine.Generation;
import io.baton.workers.engine.GenerationRequest;
import io.baton.workers.engine.GpuTiming;
import io.baton.workers.engine.KvBlock;
import io.baton.workers.engine.ModelSpec;
import io.baton.workers.engine.ReferenceEngine;
import io.baton.workers.engine.SamplingParams;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A {@link SessionRunner} against a real Session entity on the real Cassandra: a fresh run, resumes
 * after an injected XID by recompute and by KV restore, and fencing of the old attempt. Every
 * finished session must hold exactly the tokens of an uninterrupted direct run.
 */
@ExtendWith(CassandraTestExtension.class)
class SessionRunnerIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final ModelSpec SMALL =
      WorkersSettings.fromConfig(ConfigFactory.defaultReference()).engine().model("baton-small").orElseThrow();
  private static final SessionSpec.Sampling SAMPLING = new SessionSpec.Sampling(0.8, 0.9, 42);
  private static final List<Integer> PROMPT =
      IntStream.range(0, 20).map(i -> (i * 37 + 16) % 200).boxed().toList();
  private static final int MAX_TOKENS = 40;
  private static final RunnerSettings RUNNER = new RunnerSettings(4, Duration.ofMillis(50), false);
  private static final int XID_APP_FAULT = 13;

  private static ActorTestKit kit;
  private static Config config;
  private static KvBlockStore store;
  private static List<Integer> reference;

  @BeforeAll
  static void start() {
    config = CassandraTestExtension.config();
    kit = ActorTestKit.create("session-runner-it", config);
    store = KvBlockStore.create(Schema.session(kit.system()), PersistenceSettings.fromConfig(config))
        .toCompletableFuture().join();
    Generation g = engine().start(GenerationRequest.fresh(PROMPT, SamplingParams.of(SAMPLING)));
    List<Integer> tokens = new ArrayList<>();
    for (int i = 0; i < MAX_TOKENS; i++) {
      tokens.add(g.next());
    }
    reference = List.copyOf(tokens);
  }

  @AfterAll
  static void stop() {
    if (kit != null) {
      kit.shutdownTestKit();
    }
  }

  @Test
  void freshSessionRunsToCompletionWithCheckpoints() {
    ActorRef<SessionCommand> session = submitted("it-runner-fresh-");
    placeAndRun(session, 1, ResumeMethod.FRESH, engine(), RUNNER, RunnerEvent.Finished.class);

    SessionState s = state(session);
    assertEquals(SessionStatus.COMPLETED, s.status());
    assertEquals("length", s.terminalReason());
    assertEquals(reference, s.tokens());
    // 20 prompt + 40 generated tokens: three full blocks, all durable before completion.
    assertEquals(48, s.checkpointUpto());
    assertEquals(List.of(BlockHash.chain(context(), 48, SMALL.id())), s.checkpointBlocks());
    Map<String, StoredBlock> stored = store.getAll(SMALL.id(), s.checkpointBlocks()).toCompletableFuture().join();
    assertEquals(3, stored.size());
  }

  @Test
  void theRunnerTimesTheSessionsAcknowledgementsAsJournalLatency() {
    ActorRef<SessionCommand> session = submitted("it-runner-timed-");
    assertInstanceOf(Accepted.class, ask(session, r -> new Place(1, "gpu-1", ResumeMethod.FRESH, r)));
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    TestProbe<RunnerEvent> events = kit.createTestProbe();
    kit.spawn(SessionRunner.create(session, state(session), 1, ResumeMethod.FRESH, engine(), store, null, RUNNER,
        new RunnerMetrics(registry), events.getRef()));
    ending(events, RunnerEvent.Finished.class);

    // The first token goes alone, so at least two chunks; 60 tokens in all fill three KV blocks.
    Timer append = registry.get("baton.journal.append").tag("model", SMALL.id()).timer();
    assertTrue(append.count() >= 2, "chunks timed: " + append.count());
    assertTrue(append.totalTime(TimeUnit.NANOSECONDS) > 0);
    assertTrue(registry.get("baton.journal.checkpoint").tag("model", SMALL.id()).timer().count() >= 1);
    assertEquals(reference, state(session).tokens());
  }

  @Test
  void theRunnerConfirmsAtOnceRenewsItsLeaseWhileAliveAndFallsSilentWhenItsGpuHangs() {
    ActorRef<SessionCommand> session = submitted("it-runner-lease-");
    assertInstanceOf(Accepted.class, ask(session, r -> new Place(1, "gpu-1", ResumeMethod.FRESH, r)));
    // The session's side is a probe that never answers: the runner's own heartbeats are what it hears.
    TestProbe<SessionCommand> away = kit.createTestProbe();
    RunnerSettings beating = new RunnerSettings(4, Duration.ofMillis(50), false, Duration.ofSeconds(60),
        Duration.ofMillis(100));
    ReferenceEngine hanging = engine();
    hanging.faults().orElseThrow().inject(new Fault.Hang(3));
    ActorRef<SessionRunner.Command> runner = kit.spawn(SessionRunner.create(away.getRef(), state(session), 1,
        ResumeMethod.FRESH, hanging, null, beating, kit.createTestProbe(RunnerEvent.class).getRef()));
    try {
      assertEquals(new SessionCommand.Heartbeat(1), away.expectMessageClass(SessionCommand.Heartbeat.class, TIMEOUT),
          "the grant is confirmed before anything else");
      // Step 3 hangs and blocks the runner's thread: from then on no heartbeat leaves it.
      await().atMost(TIMEOUT).until(() -> hanging.faults().orElseThrow().blockedSteps() > 0);
      drain(away); // what it sent before the step blocked is already queued
      away.expectNoMessage(Duration.ofMillis(500)); // five heartbeat intervals
    } finally {
      hanging.faults().orElseThrow().releaseHang();
      runner.tell(new SessionRunner.Stop());
    }
  }

  @Test
  void aRunnerWhoseSessionMovedResendsItsUnansweredChunkAtOnce() {
    ActorRef<SessionCommand> session = submitted("it-runner-moved-");
    assertInstanceOf(Accepted.class, ask(session, r -> new Place(1, "gpu-1", ResumeMethod.FRESH, r)));
    // The old host never answers, and neither the ack timeout nor a heartbeat falls due within the
    // test: only the news that the entity moved can make the runner send again.
    TestProbe<SessionCommand> away = kit.createTestProbe();
    RunnerSettings patient = new RunnerSettings(4, Duration.ofMillis(50), false, Duration.ofSeconds(120),
        Duration.ofSeconds(120));
    ActorRef<SessionRunner.Command> runner = kit.spawn(SessionRunner.create(away.getRef(), state(session), 1,
        ResumeMethod.FRESH, engine(), null, patient, kit.createTestProbe(RunnerEvent.class).getRef()));
    try {
      away.expectMessageClass(SessionCommand.Heartbeat.class, TIMEOUT);
      AppendTokens lost = away.expectMessageClass(AppendTokens.class, TIMEOUT);

      runner.tell(new SessionRunner.SessionMoved());

      assertEquals(new SessionCommand.Heartbeat(1), away.expectMessageClass(SessionCommand.Heartbeat.class, TIMEOUT));
      AppendTokens again = away.expectMessageClass(AppendTokens.class, TIMEOUT);
      assertEquals(lost.fromIndex(), again.fromIndex());
      assertEquals(lost.tokens(), again.tokens());
    } finally {
      runner.tell(new SessionRunner.Stop());
    }
  }

  private static void drain(TestProbe<SessionCommand> probe) {
    while (true) {
      try {
        probe.receiveMessage(Duration.ofMillis(20));
      } catch (AssertionError empty) {
        return;
      }
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 7, 20})
  void xidThenRecomputeResumesExactly(int k) {
    ActorRef<SessionCommand> session = submitted("it-runner-recompute-" + k + "-");
    ReferenceEngine faulty = engine();
    faulty.faults().orElseThrow().inject(new Fault.Xid(XID_APP_FAULT, k));
    RunnerEvent.Failed failed =
        placeAndRun(session, 1, ResumeMethod.FRESH, faulty, RUNNER, RunnerEvent.Failed.class);
    assertEquals(FailureCause.Kind.XID, failed.cause().kind());
    assertEquals(XID_APP_FAULT, failed.cause().xidCode());
    assertEquals("app-fault", failed.cause().xidClass());

    SessionState afterFault = state(session);
    assertEquals(SessionStatus.PENDING, afterFault.status());
    assertNotNull(afterFault.currentAttempt().failure());
    // Every token decoded before the faulting step was made durable before the attempt failed.
    assertEquals(reference.subList(0, k - 1), afterFault.tokens());

    assertInstanceOf(Accepted.class, ask(session, r -> new Place(2, "gpu-b", ResumeMethod.RECOMPUTE, r)));
    // Fencing: a late chunk of attempt 1 is refused and persists nothing.
    Reply late = ask(session, r -> new AppendTokens(1, k - 1, List.of(reference.get(k - 1)), r));
    assertEquals(Rejection.Reason.STALE_ATTEMPT, assertInstanceOf(Rejected.class, late).rejection().reason());
    // A zombie runner of attempt 1 is fenced at its first chunk.
    TestProbe<RunnerEvent> zombie = kit.createTestProbe();
    kit.spawn(SessionRunner.create(session, state(session), 1, ResumeMethod.RECOMPUTE, engine(), store, RUNNER,
        zombie.getRef()));
    ending(zombie, RunnerEvent.Fenced.class);

    run(session, 2, ResumeMethod.RECOMPUTE, engine(), RUNNER, RunnerEvent.Finished.class);
    SessionState done = state(session);
    assertEquals(SessionStatus.COMPLETED, done.status());
    assertEquals(reference, done.tokens());
  }

  @Test
  void xidThenKvRestoreOnAFreshEngineResumesExactly() {
    ActorRef<SessionCommand> session = submitted("it-runner-restore-");
    // Paced decoding (100 ms a token, ~4 s for the run): the XID is injected only once the session
    // has recorded a KV checkpoint, so the fault lands after it whatever the machine's speed; the
    // cut point varies from run to run, and every cut point must resume exactly.
    ReferenceEngine faulty =
        new ReferenceEngine(SMALL, new GpuTiming(Duration.ZERO, Duration.ofMillis(100)), new BlockCache(64));
    assertInstanceOf(Accepted.class, ask(session, r -> new Place(1, "gpu-1", ResumeMethod.FRESH, r)));
    TestProbe<RunnerEvent> events = kit.createTestProbe();
    kit.spawn(SessionRunner.create(session, state(session), 1, ResumeMethod.FRESH, faulty, store,
        new RunnerSettings(4, Duration.ofMillis(50), true), events.getRef()));
    await().atMost(TIMEOUT).until(() -> state(session).checkpointUpto() >= 16);
    faulty.faults().orElseThrow().inject(new Fault.Xid(XID_APP_FAULT, 1));
    ending(events, RunnerEvent.Failed.class);

    SessionState afterFault = state(session);
    assertEquals(SessionStatus.PENDING, afterFault.status());
    int durable = afterFault.tokenCount();
    assertTrue(durable < MAX_TOKENS, "the fault interrupted the run");
    assertEquals(reference.subList(0, durable), afterFault.tokens());
    int upto = afterFault.checkpointUpto();
    assertTrue(upto >= 16 && upto % 16 == 0 && upto <= PROMPT.size() + durable, "checkpoint " + upto);
    List<KvBlock> blocks = store.getAll(SMALL.id(), afterFault.checkpointBlocks()).toCompletableFuture().join()
        .values().stream().map(KvBlocks::toEngine).toList();
    List<KvBlock> ordered = afterFault.checkpointBlocks().stream()
        .map(h -> blocks.stream().filter(b -> b.hash().equals(h)).findFirst().orElseThrow()).toList();
    // The stored blocks restore on a fresh engine: nothing of them is recomputed.
    Generation probe = engine().start(GenerationRequest.restore(
        PROMPT, afterFault.tokens(), SamplingParams.of(SAMPLING), ordered));
    assertEquals(upto, probe.prefill().restoredTokens());

    placeAndRun(session, 2, ResumeMethod.KV_RESTORE, engine(), RUNNER, RunnerEvent.Finished.class);
    SessionState done = state(session);
    assertEquals(SessionStatus.COMPLETED, done.status());
    assertEquals(ResumeMethod.KV_RESTORE, done.currentAttempt().method());
    assertEquals(reference, done.tokens());
  }

  // --- helpers ----------------------------------------------------------------------------------

  /** A fresh engine: its own weights copy (identical by seed), empty cache, no faults. */
  private static ReferenceEngine engine() {
    return ReferenceEngine.of(SMALL, 64);
  }

  private static int[] context() {
    int[] tokens = new int[PROMPT.size() + reference.size()];
    for (int i = 0; i < PROMPT.size(); i++) {
      tokens[i] = PROMPT.get(i);
    }
    for (int i = 0; i < reference.size(); i++) {
      tokens[PROMPT.size() + i] = reference.get(i);
    }
    return tokens;
  }

  private static ActorRef<SessionCommand> submitted(String prefix) {
    ActorRef<SessionCommand> session =
        kit.spawn(Session.create(prefix + UUID.randomUUID(), ActorsSettings.fromConfig(config)));
    SessionSpec spec = new SessionSpec(SMALL.id(), PROMPT, SAMPLING, MAX_TOKENS, "tenant-a", 0, null);
    assertInstanceOf(Accepted.class, ask(session, r -> new Submit(spec, r)));
    return session;
  }

  private static <E extends RunnerEvent> E placeAndRun(
      ActorRef<SessionCommand> session, int attempt, ResumeMethod method, ReferenceEngine engine,
      RunnerSettings settings, Class<E> expected) {
    assertInstanceOf(Accepted.class, ask(session, r -> new Place(attempt, "gpu-" + attempt, method, r)));
    return run(session, attempt, method, engine, settings, expected);
  }

  private static <E extends RunnerEvent> E run(
      ActorRef<SessionCommand> session, int attempt, ResumeMethod method, ReferenceEngine engine,
      RunnerSettings settings, Class<E> expected) {
    TestProbe<RunnerEvent> events = kit.createTestProbe();
    kit.spawn(SessionRunner.create(session, state(session), attempt, method, engine, store, settings,
        events.getRef()));
    E event = ending(events, expected);
    assertTrue(event.sessionId().startsWith("it-runner-"));
    return event;
  }

  private static Reply ask(ActorRef<SessionCommand> session, Function<ActorRef<Reply>, SessionCommand> command) {
    return AskPattern.ask(session, command::apply, TIMEOUT, kit.scheduler()).toCompletableFuture().join();
  }

  private static SessionState state(ActorRef<SessionCommand> session) {
    return AskPattern.<SessionCommand, SessionState>ask(
            session, SessionCommand.GetState::new, TIMEOUT, kit.scheduler())
        .toCompletableFuture()
        .join();
  }

  /** How the run ended, after the Prefilled report that every run that starts sends first. */
  private static <E extends RunnerEvent> E ending(TestProbe<RunnerEvent> probe, Class<E> expected) {
    RunnerEvent first = probe.receiveMessage(TIMEOUT);
    RunnerEvent end = first instanceof RunnerEvent.Prefilled ? probe.receiveMessage(TIMEOUT) : first;
    if (!expected.isInstance(end)) {
      throw new AssertionError("expected " + expected.getSimpleName() + ", got " + end);
    }
    return expected.cast(end);
  }
}
