package io.baton.actors.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.baton.actors.ActorsSettings;
import io.baton.actors.Rejection;
import io.baton.actors.session.SessionCommand.*;
import io.baton.actors.session.SessionEvent.*;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResultWithReply;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * One actor system per test class, a fresh session per test, and the commands and assertions the
 * session tests share. Every rejection helper also checks that nothing was persisted and the
 * state did not move.
 */
abstract class SessionTestBase {
  /** 20 prompt tokens: one whole KV block of 16 plus 4, so checkpoints need generated tokens to grow. */
  static final List<Integer> PROMPT = IntStream.range(1000, 1020).boxed().toList();
  static final SessionSpec.Sampling SAMPLING = new SessionSpec.Sampling(0.7, 0.9, 42L);
  static final SessionSpec SPEC = spec(64);
  static final FailureCause XID_79 = FailureCause.xid(79, "reset-gpu", "GPU has fallen off the bus");

  static ActorTestKit testKit;
  static ActorsSettings settings;

  String sessionId;
  EventSourcedBehaviorTestKit<SessionCommand, SessionEvent, SessionState> kit;

  /** A command that is answered with a {@link Reply}, given where to send the reply. */
  interface Cmd extends Function<ActorRef<Reply>, SessionCommand> {}

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

  /** A new id per test: the in-memory journal outlives a test. */
  @BeforeEach
  void newSession() {
    sessionId = "chatcmpl-" + UUID.randomUUID();
    kit = EventSourcedBehaviorTestKit.create(testKit.system(), Session.create(sessionId, settings));
  }

  static SessionSpec spec(int maxTokens) {
    return new SessionSpec("baton-small", PROMPT, SAMPLING, maxTokens, "tenant-a", 5, null);
  }

  /** {@code count} distinct token ids starting at index {@code from}; the same index always gives the same id. */
  static List<Integer> tokens(int from, int count) {
    return IntStream.range(from, from + count).map(i -> 100 + i).boxed().toList();
  }

  String persistenceId() {
    return PersistenceId.of(Session.ENTITY_KEY.name(), sessionId).id();
  }

  // --- commands -------------------------------------------------------------------------------

  static Cmd submit(SessionSpec spec) {
    return r -> new Submit(spec, r);
  }

  static Cmd place(int attempt, String workerId, ResumeMethod method) {
    return r -> new Place(attempt, workerId, method, r);
  }

  static Cmd append(int attempt, int fromIndex, List<Integer> tokens) {
    return r -> new AppendTokens(attempt, fromIndex, tokens, r);
  }

  static Cmd checkpoint(int attempt, int uptoToken, String... hashes) {
    return r -> new CheckpointKv(attempt, uptoToken, Arrays.asList(hashes), r);
  }

  static Cmd failAttempt(int attempt, FailureCause cause) {
    return r -> new FailAttempt(attempt, cause, r);
  }

  static Cmd complete(int attempt, String finishReason) {
    return r -> new Complete(attempt, finishReason, r);
  }

  static Cmd fail(String error) {
    return r -> new Fail(error, r);
  }

  static Cmd cancel(String reason) {
    return r -> new Cancel(reason, r);
  }

  static Cmd erase(String reason) {
    return r -> new Erase(reason, r);
  }

  CommandResultWithReply<SessionCommand, SessionEvent, SessionState, Reply> run(Cmd command) {
    return kit.runCommand(command::apply);
  }

  // --- assertions -----------------------------------------------------------------------------

  /** Runs a command that must be accepted with {@code expected} and persist exactly one event of {@code type}. */
  <E extends SessionEvent> E persists(Class<E> type, Accepted expected, Cmd command) {
    var result = run(command);
    assertEquals(expected, result.reply());
    assertEquals(1, result.events().size(), () -> "events: " + result.events());
    E event = assertInstanceOf(type, result.event());
    assertNotNull(at(event), "every event carries its time");
    assertEquals(kit.getState(), result.state());
    return event;
  }

  /** When the event happened; the sealed interface has no accessor for it. */
  static Instant at(SessionEvent e) {
    if (e instanceof Submitted s) return s.at();
    if (e instanceof Placed p) return p.at();
    if (e instanceof TokensAppended t) return t.at();
    if (e instanceof KvCheckpointed k) return k.at();
    if (e instanceof AttemptFailed a) return a.at();
    if (e instanceof Completed c) return c.at();
    if (e instanceof Failed f) return f.at();
    if (e instanceof Cancelled c) return c.at();
    if (e instanceof Erased x) return x.at();
    throw new AssertionError("unexpected event " + e);
  }

  /** Runs a command that must be rejected for {@code reason}, persisting nothing and changing nothing. */
  Rejection rejects(Rejection.Reason reason, Cmd command) {
    SessionState before = kit.getState();
    var result = run(command);
    Rejected rejected = assertInstanceOf(Rejected.class, result.reply(), () -> "reply: " + result.reply());
    assertEquals(reason, rejected.rejection().reason(), rejected.rejection()::detail);
    assertNotNull(rejected.rejection().detail());
    assertFalse(rejected.rejection().detail().isBlank(), "a rejection says why");
    assertTrue(result.hasNoEvents(), () -> "a rejection persisted " + result.events());
    assertEquals(before, result.state());
    return rejected.rejection();
  }

  /** Runs an idempotent retry: acknowledged with {@code expected}, persisting nothing, changing nothing. */
  void acknowledgesWithoutEvent(Accepted expected, Cmd command) {
    SessionState before = kit.getState();
    var result = run(command);
    assertEquals(expected, result.reply());
    assertTrue(result.hasNoEvents(), () -> "a retry persisted " + result.events());
    assertEquals(before, result.state());
  }

  // --- fixtures: each advances from wherever the session is, and each step must succeed ----------

  SessionState submitted() {
    if (kit.getState().status() == SessionStatus.NEW) {
      persists(Submitted.class, new Accepted(SessionStatus.PENDING, 0, 0), submit(SPEC));
    }
    return kit.getState();
  }

  /** Submitted and placed as attempt 1, FRESH, on gpu-a. */
  SessionState placed() {
    submitted();
    if (kit.getState().attempt() == 0) {
      persists(Placed.class, new Accepted(SessionStatus.PLACED, 1, 0), place(1, "gpu-a", ResumeMethod.FRESH));
    }
    return kit.getState();
  }

  /** Attempt 1 generating, with {@code count} durable tokens. */
  SessionState generating(int count) {
    placed();
    persists(TokensAppended.class, new Accepted(SessionStatus.GENERATING, 1, count), append(1, 0, tokens(0, count)));
    return kit.getState();
  }
}
