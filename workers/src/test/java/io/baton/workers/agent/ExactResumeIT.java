package io.baton.workers.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.baton.actors.ActorsSettings;
import io.baton.actors.Rejection;
import io.baton.actors.session.FailureCause;
import io.baton.actors.session.ResumeMethod;
import io.baton.actors.session.Session;
import io.baton.actors.session.SessionCommand;
import io.baton.actors.session.SessionCommand.Accepted;
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
import io.baton.persistence.testing.CassandraTestExtension;
import io.baton.workers.WorkersSettings;
import io.baton.workers.engine.BlockHash;
import io.baton.workers.engine.EngineCapabilities;
import io.baton.workers.engine.Fault;
import io.baton.workers.engine.FaultHooks;
import io.baton.workers.engine.Generation;
import io.baton.workers.engine.GenerationRequest;
import io.baton.workers.engine.InferenceEngine;
import io.baton.workers.engine.KvBlock;
import io.baton.workers.engine.ModelInfo;
import io.baton.workers.engine.ModelSpec;
import io.baton.workers.engine.ReferenceEngine;
import io.baton.workers.engine.SamplingParams;
import io.baton.workers.engine.Tokenizer;
import io.baton.workers.engine.XidException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Exact resume for every fault point × resume method (KV_RESTORE, RECOMPUTE): a real Session entity
 * on the real Cassandra, a {@link SessionRunner} whose simulated GPU raises XID 13 at a chosen decode
 * step, then a second attempt on a fresh engine. The session must end with exactly the tokens of an
 * uninterrupted run, and the resume must rebuild the context the way its method says.
 *
 * <p>Prompt 20 tokens, 40 generated: the context ends at 21 tokens after the first token (checkpoint
 * 16), at 40 mid-block (checkpoint 32), at 48 exactly on a block boundary (checkpoint 48: the whole
 * context is restored and only the last token is run again for its logits), and at 59 just before
 * completion (checkpoint 48). During prefill nothing is durable, so there is no checkpoint: the
 * session refuses KV_RESTORE and the resume degenerates to computing the prompt (FRESH, as the placer
 * would choose with no durable token).
 */
@ExtendWith(CassandraTestExtension.class)
class ExactResumeIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final ModelSpec SMALL =
      WorkersSettings.fromConfig(ConfigFactory.defaultReference()).engine().model("baton-small").orElseThrow();
  private static final SessionSpec.Sampling SAMPLING = new SessionSpec.Sampling(0.8, 0.9, 4242);
  private static final List<Integer> PROMPT = IntStream.range(0, 20).map(i -> (i * 53 + 9) % 200).boxed().toList();
  private static final int MAX_TOKENS = 40;
  private static final int XID_APP_FAULT = 13;
  /**
   * The simulated GPU time of the last good step before the fault. Decoding is instant otherwise; this
   * pause lets the tokens decoded so far and their KV checkpoint become durable before the XID hits,
   * so each fault point has a known checkpoint (the runner takes no checkpoint once it has failed).
   */
  private static final Duration PAUSE_BEFORE_FAULT = Duration.ofMillis(1500);

  /** Where the fault hits, as the number of generated tokens durable when it does. */
  enum FaultPoint {
    DURING_PREFILL(0),
    AFTER_FIRST_TOKEN(1),
    MID_BLOCK(20),
    AT_BLOCK_BOUNDARY(28),
    JUST_BEFORE_COMPLETION(39);

    final int durable;

    FaultPoint(int durable) {
      this.durable = durable;
    }

    /** Prompt plus generated tokens covered by full KV blocks when the fault hits. */
    int checkpointUpto() {
      return durable == 0 ? 0 : (PROMPT.size() + durable) / BlockHash.BLOCK_TOKENS * BlockHash.BLOCK_TOKENS;
    }
  }

  private static ActorTestKit kit;
  private static Config config;
  private static KvBlockStore store;
  private static List<Integer> reference;

  @BeforeAll
  static void start() {
    config = CassandraTestExtension.config();
    kit = ActorTestKit.create("exact-resume-it", config);
    store = KvBlockStore.create(Schema.session(kit.system()), PersistenceSettings.fromConfig(config))
        .toCompletableFuture().join();
    Generation g = ReferenceEngine.of(SMALL, 64).start(GenerationRequest.fresh(PROMPT, SamplingParams.of(SAMPLING)));
    reference = IntStream.range(0, MAX_TOKENS).mapToObj(i -> g.next()).toList();
  }

  @AfterAll
  static void stop() {
    if (kit != null) {
      kit.shutdownTestKit();
    }
  }

  static Stream<Arguments> cases() {
    return Stream.of(FaultPoint.values()).flatMap(p ->
        Stream.of(Arguments.of(p, ResumeMethod.KV_RESTORE), Arguments.of(p, ResumeMethod.RECOMPUTE)));
  }

  @ParameterizedTest(name = "{0} then {1}")
  @MethodSource("cases")
  void aFaultAtEachPointResumesExactlyWithEachMethod(FaultPoint point, ResumeMethod method) {
    ActorRef<SessionCommand> session = submitted("it-exact-" + point + "-" + method + "-");

    // Attempt 1: XID 13 at the decode step that would produce token `durable`.
    ReferenceEngine faulty = ReferenceEngine.of(SMALL, 64);
    if (point == FaultPoint.DURING_PREFILL) {
      failGpu(faulty);
    } else {
      faulty.faults().orElseThrow().inject(new Fault.Xid(XID_APP_FAULT, point.durable + 1));
    }
    assertInstanceOf(Accepted.class, ask(session, r -> new Place(1, "gpu-a", ResumeMethod.FRESH, r)));
    TestProbe<RunnerEvent> first = kit.createTestProbe();
    kit.spawn(SessionRunner.create(session, state(session), 1, ResumeMethod.FRESH,
        new PausingEngine(faulty, point.durable - 1, PAUSE_BEFORE_FAULT), store,
        new RunnerSettings(1, Duration.ofMillis(20), true), first.getRef()));
    Ended faulted = end(first);
    assertEquals(point == FaultPoint.DURING_PREFILL, faulted.prefill() == null, "no prefill iff the GPU had failed");
    RunnerEvent.Failed failed = assertInstanceOf(RunnerEvent.Failed.class, faulted.event());
    assertEquals(FailureCause.Kind.XID, failed.cause().kind());
    assertEquals(XID_APP_FAULT, failed.cause().xidCode());

    SessionState afterFault = state(session);
    assertEquals(SessionStatus.PENDING, afterFault.status(), afterFault::terminalReason);
    assertEquals(reference.subList(0, point.durable), afterFault.tokens(), "every decoded token was made durable");
    assertEquals(point.checkpointUpto(), afterFault.checkpointUpto(), "the checkpoint covers every durable full block");
    assertEquals(List.of(BlockHash.chain(context(point.durable), point.checkpointUpto(), SMALL.id())),
        afterFault.checkpointBlocks());

    // Attempt 2 on a fresh engine (an empty GPU cache): the method decides how the context comes back.
    boolean noCheckpoint = point == FaultPoint.DURING_PREFILL && method == ResumeMethod.KV_RESTORE;
    if (noCheckpoint) {
      Reply refused = ask(session, r -> new Place(2, "gpu-b", ResumeMethod.KV_RESTORE, r));
      assertEquals(Rejection.Reason.INVALID_ARGUMENT, assertInstanceOf(Rejected.class, refused).rejection().reason());
    }
    ResumeMethod resumeWith = noCheckpoint ? ResumeMethod.FRESH : method;
    assertInstanceOf(Accepted.class, ask(session, r -> new Place(2, "gpu-b", resumeWith, r)));
    TestProbe<RunnerEvent> second = kit.createTestProbe();
    kit.spawn(SessionRunner.create(session, state(session), 2, resumeWith, ReferenceEngine.of(SMALL, 64), store,
        new RunnerSettings(4, Duration.ofMillis(20), false), second.getRef()));
    Ended resumed = end(second);
    assertInstanceOf(RunnerEvent.Finished.class, resumed.event());

    assertNotNull(resumed.prefill(), "the runner reported its prefill");
    Generation.PrefillStats prefill = resumed.prefill().stats();
    int context = PROMPT.size() + point.durable;
    assertEquals(context, prefill.contextTokens());
    assertEquals(0, prefill.cachedTokens(), "a fresh engine caches nothing");
    int restored = resumeWith == ResumeMethod.KV_RESTORE ? point.checkpointUpto() : 0;
    assertEquals(restored, prefill.restoredTokens(), "restored from the checkpoint");
    assertEquals(Math.max(1, context - restored), prefill.computedTokens(), "computed the rest");

    SessionState done = state(session);
    assertEquals(SessionStatus.COMPLETED, done.status(), done::terminalReason);
    assertEquals(resumeWith, done.currentAttempt().method());
    assertEquals(point.durable, done.currentAttempt().resumeFrom());
    assertEquals(reference, done.tokens(), "the resumed stream equals the uninterrupted run");
  }

  // --- helpers ----------------------------------------------------------------------------------

  /** A GPU that has already raised the XID: faults are sticky, so the next start fails with it. */
  private static void failGpu(ReferenceEngine engine) {
    engine.faults().orElseThrow().inject(new Fault.Xid(XID_APP_FAULT, 1));
    Generation probe = engine.start(GenerationRequest.fresh(PROMPT, SamplingParams.of(SAMPLING)));
    XidException x = assertThrows(XidException.class, probe::step);
    assertEquals(XID_APP_FAULT, x.code());
    assertEquals(XID_APP_FAULT, engine.faults().orElseThrow().failedXid().orElseThrow());
  }

  /** How a run ended, with its prefill report (null when the engine failed to start). */
  private record Ended(RunnerEvent event, RunnerEvent.Prefilled prefill) {}

  private static Ended end(TestProbe<RunnerEvent> events) {
    RunnerEvent.Prefilled prefill = null;
    while (true) {
      RunnerEvent e = events.receiveMessage(TIMEOUT);
      if (e instanceof RunnerEvent.Prefilled p) {
        prefill = p;
      } else {
        return new Ended(e, prefill);
      }
    }
  }

  private static int[] context(int generated) {
    return Stream.concat(PROMPT.stream(), reference.subList(0, generated).stream())
        .mapToInt(Integer::intValue).toArray();
  }

  private static ActorRef<SessionCommand> submitted(String prefix) {
    ActorRef<SessionCommand> session =
        kit.spawn(Session.create(prefix + UUID.randomUUID(), ActorsSettings.fromConfig(config)));
    SessionSpec spec = new SessionSpec(SMALL.id(), PROMPT, SAMPLING, MAX_TOKENS, "tenant-a", 0, null);
    assertInstanceOf(Accepted.class, ask(session, r -> new Submit(spec, r)));
    return session;
  }

  private static Reply ask(ActorRef<SessionCommand> session, Function<ActorRef<Reply>, SessionCommand> command) {
    return AskPattern.ask(session, command::apply, TIMEOUT, kit.scheduler()).toCompletableFuture().join();
  }

  private static SessionState state(ActorRef<SessionCommand> session) {
    return AskPattern.<SessionCommand, SessionState>ask(session, SessionCommand.GetState::new, TIMEOUT,
        kit.scheduler()).toCompletableFuture().join();
  }

  /** The engine, except that the step producing token {@code pauseAt} takes {@code pause} of simulated GPU time. */
  private record PausingEngine(ReferenceEngine engine, int pauseAt, Duration pause) implements InferenceEngine {
    @Override public ModelInfo model() { return engine.model(); }
    @Override public EngineCapabilities capabilities() { return engine.capabilities(); }
    @Override public Tokenizer tokenizer() { return engine.tokenizer(); }
    @Override public Optional<FaultHooks> faults() { return engine.faults(); }
    @Override public Generation start(GenerationRequest request) { return new Paused(engine.start(request)); }

    private final class Paused implements Generation {
      private final Generation g;

      Paused(Generation g) {
        this.g = g;
      }

      @Override
      public Step step() {
        Step s = g.step();
        return s.index() == pauseAt ? new Step(s.token(), s.index(), pause) : s;
      }

      @Override public PrefillStats prefill() { return g.prefill(); }
      @Override public int nextIndex() { return g.nextIndex(); }
      @Override public int contextLength() { return g.contextLength(); }
      @Override public List<KvBlock> exportBlocks(int fromBlock) { return g.exportBlocks(fromBlock); }
    }
  }
}
