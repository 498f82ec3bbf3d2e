package io.baton.actors.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;

import com.typesafe.config.ConfigFactory;
import io.baton.actors.Rejection;
import io.baton.actors.session.SessionCommand.*;
import io.baton.actors.session.SessionEvent.*;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import org.apache.pekko.serialization.jackson.JacksonCborSerializer;
import org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every session event, the state (which is the snapshot format), every command and reply, round-
 * tripped through Pekko serialization as configured. A new event needs one more sample below; the
 * coverage tests fail until it has one.
 */
class SessionSerializationTest {
  /** Nanosecond precision, so that a lossy time encoding shows. */
  private static final Instant AT = Instant.parse("2026-05-06T07:08:09.123456789Z");
  private static final String ID = "chatcmpl-serialization";
  private static final SessionSpec SPEC = new SessionSpec(
      "baton-small", List.of(1, 2, 3), new SessionSpec.Sampling(0.7, 0.95, 1234567890123L), 64, "tenant-a", 3, null,
      List.of("\n\n", "END"));
  private static final SessionSpec BATCH_SPEC = new SessionSpec(
      "baton-small", List.of(9), new SessionSpec.Sampling(0, 1, -1L), 1, "tenant-b", 0, "batch_abc");
  private static final SessionSpec RESPONSE_SPEC = new SessionSpec(
      "baton-small", List.of(4, 5), new SessionSpec.Sampling(1, 1, 77L), 32, "tenant-c", 0, null, List.of(),
      SessionSpec.Api.RESPONSE, new ResponseSpec("Be brief", List.of(
          new ResponseSpec.InputItem("user", List.of("Hi", " there")), new ResponseSpec.InputItem("assistant",
              List.of("Hello"))), Map.of("k", "v"), false, true, "resp_0123456789abcdef0123456789abcdef"));
  private static final FailureCause XID = FailureCause.xid(79, "reset-gpu", "GPU has fallen off the bus");

  private static ActorTestKit testKit;
  private static TestProbe<Reply> replies;
  private static TestProbe<SessionState> states;
  private static TestProbe<TokenUpdate> updates;
  private static TestProbe<Grant> grants;
  private static TestProbe<Subscribed> subscribed;
  private static TestProbe<SessionCommand> sessions;

  @BeforeAll
  static void startSystem() {
    testKit = ActorTestKit.create(ConfigFactory.load());
    replies = testKit.createTestProbe(Reply.class);
    states = testKit.createTestProbe(SessionState.class);
    updates = testKit.createTestProbe(TokenUpdate.class);
    grants = testKit.createTestProbe(Grant.class);
    subscribed = testKit.createTestProbe(Subscribed.class);
    sessions = testKit.createTestProbe(SessionCommand.class);
  }

  @AfterAll
  static void stopSystem() {
    testKit.shutdownTestKit();
  }

  static List<SessionEvent> events() {
    Stream<SessionEvent> placements = Arrays.stream(ResumeMethod.values())
        .map(m -> new Placed(m.ordinal() + 1, "gpu-" + m, m.ordinal() * 7, m, AT));
    Stream<SessionEvent> failures = failureCauses().stream().map(c -> new AttemptFailed(2, c, AT));
    Stream<SessionEvent> rest = Stream.of(
        new Submitted(ID, SPEC, AT),
        new Submitted(ID, BATCH_SPEC, AT),
        new Submitted(ID, RESPONSE_SPEC, AT),
        new TokensAppended(1, 0, List.of(5, 6, 7), AT),
        new TokensAppended(1, 0, List.of(5), AT, 48),
        new Erased("deleted by the client", AT),
        new Queued(2, AT),
        new TokensAppended(2, 1_000_000, List.of(Integer.MAX_VALUE), AT),
        new KvCheckpointed(1, 32, List.of("sha256:aa", "sha256:bb"), AT),
        new Completed("stop", new Usage(3, 5), AT),
        new Failed("poison request", AT),
        new Cancelled("client went away", AT));
    return Stream.of(rest, placements, failures).flatMap(s -> s).toList();
  }

  static List<FailureCause> failureCauses() {
    Stream<FailureCause> others = Arrays.stream(FailureCause.Kind.values())
        .filter(k -> k != FailureCause.Kind.XID)
        .map(k -> FailureCause.of(k, "because " + k));
    return Stream.concat(Stream.of(XID), others).toList();
  }

  /** A session with a failed and a finished attempt, tokens, checkpoint blocks, usage and an ending. */
  static SessionState richState() {
    SessionState s = SessionState.empty(ID);
    for (SessionEvent e : List.of(
        new Submitted(ID, SPEC, AT),
        new Placed(1, "gpu-a", 0, ResumeMethod.FRESH, AT),
        new TokensAppended(1, 0, List.of(10, 11, 12, 13), AT.plusMillis(5)),
        new KvCheckpointed(1, 16, List.of("sha256:aa"), AT.plusMillis(6)),
        new AttemptFailed(1, XID, AT.plusMillis(7)),
        new Placed(2, "gpu-b", 4, ResumeMethod.KV_RESTORE, AT.plusMillis(8)),
        new TokensAppended(2, 4, List.of(14, 15), AT.plusMillis(9)),
        new Completed("stop", new Usage(3, 6), AT.plusMillis(10)))) {
      s = s.apply(e);
    }
    return s;
  }

  /** A response whose first token reused prompt KV, then cancelled and erased in one write. */
  static SessionState erasedResponse() {
    SessionState s = SessionState.empty(ID);
    for (SessionEvent e : List.of(
        new Submitted(ID, RESPONSE_SPEC, AT),
        new Placed(1, "gpu-a", 0, ResumeMethod.FRESH, AT),
        new TokensAppended(1, 0, List.of(10, 11), AT.plusMillis(5), 99),
        new Cancelled("deleted by the client", AT.plusMillis(6)),
        new Erased("deleted by the client", AT.plusMillis(6)))) {
      s = s.apply(e);
    }
    return s;
  }

  /** A session preempted after its first tokens, waiting in the queue since it first queued. */
  static SessionState queuedAfterPreemption() {
    SessionState s = SessionState.empty(ID);
    for (SessionEvent e : List.of(
        new Submitted(ID, BATCH_SPEC, AT),
        new Queued(0, AT.plusMillis(1)),
        new Placed(1, "gpu-a", 0, ResumeMethod.FRESH, AT.plusMillis(2)),
        new TokensAppended(1, 0, List.of(10), AT.plusMillis(3)),
        new AttemptFailed(1, FailureCause.of(FailureCause.Kind.PREEMPTED, "interactive waiting"), AT.plusMillis(4)),
        new Queued(1, AT.plusMillis(5)),
        new Queued(1, AT.plusMillis(6)))) {
      s = s.apply(e);
    }
    return s;
  }

  static List<SessionCommand> commands() {
    return List.of(
        new Submit(SPEC, replies.ref()),
        new Place(1, "gpu-a", ResumeMethod.KV_RESTORE, replies.ref()),
        new AppendTokens(1, 4, List.of(1, 2), replies.ref()),
        new AppendTokens(1, 0, List.of(1), 32, replies.ref()),
        new Erase("deleted by the client", replies.ref()),
        new CheckpointKv(1, 32, List.of("sha256:aa", "sha256:bb"), replies.ref()),
        new FailAttempt(1, XID, replies.ref()),
        new Complete(2, "length", replies.ref()),
        new Fail("poison request", replies.ref()),
        new Cancel("client went away", replies.ref()),
        new GetState(states.ref()),
        new GetTokens(3, updates.ref()),
        new PlacementDue(),
        new Admit(),
        new OfferDue(),
        new LeaseDue(2, true),
        new IdleCheck(),
        new Offer(2, List.of(new Candidate("gpu-b", ResumeMethod.RECOMPUTE, grants.ref()))),
        new GrantRefused(2, "gpu-b", "gpu-b is full (8 sessions)"),
        new Heartbeat(2),
        new Hint(2, "gpu-b", XID),
        new Subscribe(3, updates.ref(), subscribed.ref()),
        new FollowerGone(updates.ref()));
  }

  static List<Reply> replies() {
    Stream<Reply> rejections = Arrays.stream(Rejection.Reason.values())
        .map(r -> new Rejected(Rejection.of(r, "why: " + r)));
    return Stream.concat(Stream.of(new Accepted(SessionStatus.GENERATING, 2, 15)), rejections).toList();
  }

  static Stream<Named<Object>> samples() {
    Stream<Object> others = Stream.of(
        SPEC,
        BATCH_SPEC,
        SPEC.sampling(),
        new Usage(3, 5),
        new Attempt(1, "gpu-a", ResumeMethod.FRESH, 0, AT, null),
        new Attempt(2, "gpu-b", ResumeMethod.RECOMPUTE, 4, AT, XID),
        SessionState.empty(ID),
        richState(),
        erasedResponse(),
        queuedAfterPreemption(),
        RESPONSE_SPEC.response(),
        new TokenUpdate(ID, 4, List.of(14, 15), SessionStatus.GENERATING, null),
        new TokenUpdate(ID, 6, List.of(), SessionStatus.COMPLETED, "stop"),
        new Subscribed(new TokenUpdate(ID, 4, List.of(14, 15), SessionStatus.GENERATING, null), sessions.ref()),
        new Grant("gpu-b", ResumeMethod.KV_RESTORE, richState()),
        Rejection.of(Rejection.Reason.GAP, "chunk starts at 9"));
    return Stream.of(events().stream(), commands().stream(), replies().stream(), failureCauses().stream(), others)
        .flatMap(s -> s.map(o -> (Object) o))
        .map(o -> Named.of(o.getClass().getSimpleName() + " " + o, o));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("samples")
  void roundTripsThroughJacksonCbor(Object sample) {
    Serializer serializer = serialization().findSerializerFor(sample);
    assertInstanceOf(JacksonCborSerializer.class, serializer, "bound through CborSerializable");
    Object copy = testKit.serializationTestKit().verifySerialization(sample, true);
    assertNotSame(sample, copy);
    assertEquals(sample, copy);
  }

  @Test
  void theRichStateIsReallyRich() {
    SessionState s = richState();
    assertEquals(SessionStatus.COMPLETED, s.status());
    assertEquals(XID, s.attempts().get(0).failure());
    assertEquals(List.of(10, 11, 12, 13, 14, 15), s.tokens());
    assertEquals(List.of("sha256:aa"), s.checkpointBlocks());
    assertEquals(new Usage(3, 6), s.usage());
  }

  @Test
  void aQueuedSessionKeepsItsFirstPlaceInLineAndLosesItWhenPlaced() {
    SessionState s = queuedAfterPreemption();
    assertEquals(SessionStatus.PENDING, s.status());
    assertEquals(AT.plusMillis(5), s.queuedAt(), "the first Queued since the last placement");
    assertNull(s.apply(new Placed(2, "gpu-b", 1, ResumeMethod.KV_RESTORE, AT.plusMillis(7))).queuedAt());
    assertNull(s.apply(new Cancelled("gone", AT.plusMillis(7))).queuedAt());
  }

  @Test
  void theErasedResponseKeepsItsReuseAndHidesNothingElse() {
    SessionState s = erasedResponse();
    assertEquals(SessionStatus.CANCELLED, s.status());
    assertTrue(s.erased());
    // Capped at the prompt: the reuse counts prompt tokens only.
    assertEquals(2, s.reusedPromptTokens());
    assertEquals(List.of(10, 11), s.tokens());
  }

  /** Events and snapshots written before a field existed read with its default. */
  @Test
  void fieldsAddedLaterReadAsTheirDefaults() throws Exception {
    ObjectMapper cbor = JacksonObjectMapperProvider.get(Adapter.toClassic(testKit.system()))
        .getOrCreate("jackson-cbor", Optional.of(new CBORFactory()));
    Map<String, Object> tokens = Map.of("attempt", 1, "fromIndex", 0, "tokens", List.of(5), "at", AT.toString());
    assertEquals(new TokensAppended(1, 0, List.of(5), AT),
        cbor.readValue(cbor.writeValueAsBytes(tokens), TokensAppended.class));
    Map<String, Object> spec = Map.of("model", "baton-small", "promptTokens", List.of(1), "sampling",
        Map.of("temperature", 0, "topP", 1, "seed", 3), "maxTokens", 4, "tenant", "t", "priority", 0);
    SessionSpec old = cbor.readValue(cbor.writeValueAsBytes(spec), SessionSpec.class);
    assertNull(old.api(), "left for the state to upcast");
    assertEquals(List.of(), old.stop());
    assertNull(old.response());
    // The one upcast: a chat's id said it was a chat; anything else was a completion.
    assertEquals(SessionSpec.Api.CHAT, SessionState.empty("chatcmpl-x").apply(new Submitted("chatcmpl-x", old, AT))
        .spec().api());
    assertEquals(SessionSpec.Api.COMPLETION, SessionState.empty("cmpl-x").apply(new Submitted("cmpl-x", old, AT))
        .spec().api());
    // A snapshot written before reusedPromptTokens and erased.
    ObjectNode snapshot = cbor.valueToTree(richState());
    snapshot.remove(List.of("reusedPromptTokens", "erased", "queuedAt"));
    SessionState read = cbor.treeToValue(snapshot, SessionState.class);
    assertEquals(richState(), read);
    assertEquals(0, read.reusedPromptTokens());
  }

  @Test
  void everyEventHasASample() {
    assertEquals(leaves(SessionEvent.class), sampleClasses(events()));
  }

  @Test
  void everyCommandHasASample() {
    assertEquals(leaves(SessionCommand.class), sampleClasses(commands()));
  }

  @Test
  void everyReplyHasASample() {
    assertEquals(leaves(Reply.class), sampleClasses(replies()));
  }

  /**
   * The manifest names the class of each stored event, so renaming an event breaks existing journals.
   * This list changes only together with a migration.
   */
  @Test
  void eventManifestsAreAStoredSchema() {
    Set<String> manifests = events().stream()
        .map(e -> Serializers.manifestFor(serialization().findSerializerFor(e), e))
        .collect(Collectors.toCollection(TreeSet::new));
    String p = "io.baton.actors.session.SessionEvent$";
    assertEquals(
        new TreeSet<>(Stream.of("AttemptFailed", "Cancelled", "Completed", "Failed", "KvCheckpointed", "Placed",
            "Submitted", "TokensAppended", "Erased", "Queued").map(n -> p + n).toList()),
        manifests);
  }

  private static Serialization serialization() {
    return SerializationExtension.get(Adapter.toClassic(testKit.system()));
  }

  /** The records behind a sealed interface, through nested sealed interfaces. */
  private static Set<String> leaves(Class<?> sealed) {
    return Arrays.stream(sealed.getPermittedSubclasses())
        .flatMap(c -> c.isSealed() ? leaves(c).stream() : Stream.of(c.getName()))
        .collect(Collectors.toCollection(TreeSet::new));
  }

  private static Set<String> sampleClasses(List<?> samples) {
    return samples.stream().map(o -> o.getClass().getName()).collect(Collectors.toCollection(TreeSet::new));
  }
}
