package io.baton.actors.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.baton.actors.Rejection;
import io.baton.actors.batch.BatchCommand.*;
import io.baton.actors.batch.BatchEvent.*;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.jackson.JacksonCborSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Events and snapshots are a stored schema and commands cross the network: each class goes through
 * Pekko's configured serializer (Jackson CBOR) and must come back equal.
 */
class BatchSerializationTest {
  private static final Instant AT = Instant.parse("2026-03-01T12:00:00.123456Z");
  private static final LineError LINE_ERROR = new LineError("invalid_value", "bad temperature", "body.temperature", 3);
  private static final LineError BATCH_ERROR = LineError.of("input_file_missing", "gone");

  private static ActorTestKit testKit;
  private static ActorRef<Reply> replyTo;
  private static ActorRef<BatchState> stateTo;

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create(ConfigFactory.load());
    replyTo = testKit.<Reply>createTestProbe().getRef();
    stateTo = testKit.<BatchState>createTestProbe().getRef();
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  static List<BatchEvent> events() {
    return List.of(
        new Created("batch_1", "file-in", "/v1/chat/completions", "24h", Map.of("a", "b", "c", ""), AT,
            AT.plusSeconds(86_400), "alice"),
        new InputValidated(3, List.of(LINE_ERROR), AT),
        new ValidationFailed(List.of(LINE_ERROR, BATCH_ERROR), AT),
        new RequestsFinished(List.of(0, 2, 40_000), List.of(1), AT),
        new FinalizingStarted(AT),
        new Completed("file-out", null, AT),
        new Failed(List.of(BATCH_ERROR), AT),
        new Expired(null, "file-err", AT),
        new CancellationRequested("no longer needed", AT),
        new Cancelled("file-out", "file-err", AT),
        // Written before batches recorded their tenant.
        new Created("batch_0", "file-in", "/v1/completions", "24h", Map.of(), AT, AT.plusSeconds(86_400), null));
  }

  static List<BatchCommand> commands() {
    return List.of(
        new Create("file-in", "/v1/completions", "24h", Map.of("k", "v"), "alice", replyTo),
        new MarkValidated(10_000, List.of(LINE_ERROR), replyTo),
        new ReportRequests(List.of(5, 6), List.of(7), replyTo),
        new Finalize(replyTo),
        new Complete("file-out", "file-err", replyTo),
        new Fail(List.of(BATCH_ERROR), replyTo),
        new Cancel("budget", replyTo),
        new Expire(null, null, replyTo),
        new GetState(stateTo));
  }

  static List<Reply> replies() {
    return List.of(
        new Accepted(BatchStatus.IN_PROGRESS, new RequestCounts(10, 4, 1)),
        new Rejected(Rejection.of(Rejection.Reason.CONFLICT, "line 4 was counted as failed")));
  }

  /** Every lifecycle field set at once is impossible, so two states cover them between them. */
  static List<BatchState> states() {
    List<BatchEvent> e = events();
    BatchState cancelled = BatchState.empty("batch_1").apply(e.get(0)).apply(e.get(1)).apply(e.get(3))
        .apply(e.get(8)).apply(e.get(9));
    BatchState completed = BatchState.empty("batch_2").apply(e.get(0)).apply(new InputValidated(50_000, List.of(), AT))
        .apply(new RequestsFinished(evenUpTo(50_000), List.of(1, 3, 49_999), AT)).apply(e.get(4)).apply(e.get(5));
    return List.of(BatchState.empty("batch_0"), cancelled, completed);
  }

  static Stream<Object> everything() {
    return Stream.of(events(), commands(), replies(), states()).flatMap(List::stream);
  }

  @ParameterizedTest
  @MethodSource("everything")
  void roundTripsThroughJacksonCbor(Object message) {
    assertInstanceOf(JacksonCborSerializer.class,
        SerializationExtension.get(testKit.system()).findSerializerFor(message));
    assertEquals(message, testKit.serializationTestKit().verifySerialization(message, true));
  }

  @Test
  void everyEventCommandAndReplyClassIsCovered() {
    assertEquals(leaves(BatchEvent.class), classes(events()));
    assertEquals(leaves(BatchCommand.class), classes(commands()));
    assertEquals(leaves(Reply.class), classes(replies()));
  }

  @Test
  void aBatchCreatedBeforeTenantsBelongsToTheDefaultTenant() {
    BatchState old = BatchState.empty("batch_0").apply((Created) events().get(events().size() - 1));
    assertEquals(BatchState.DEFAULT_TENANT, old.tenant());
    assertEquals("alice", BatchState.empty("batch_1").apply((Created) events().get(0)).tenant());
  }

  @Test
  void aFiftyThousandLineSnapshotStaysSmall() {
    BatchState completed = states().get(2);
    assertEquals(new RequestCounts(50_000, 25_000, 3), completed.requestCounts());
    byte[] bytes = SerializationExtension.get(testKit.system()).serialize(completed).get();
    // Two bit sets of 50,000 lines in Base64 are about 17 KB; a list of indexes would be several times that.
    assertTrue(bytes.length < 20_000, bytes.length + " bytes");
  }

  private static List<Integer> evenUpTo(int total) {
    return IntStream.range(0, total).filter(i -> i % 2 == 0).boxed().collect(Collectors.toList());
  }

  private static Set<Class<?>> classes(List<?> objects) {
    return objects.stream().map(Object::getClass).collect(Collectors.toSet());
  }

  /** The records behind a sealed interface, through nested sealed interfaces such as Mutation. */
  private static Set<Class<?>> leaves(Class<?> sealed) {
    return Arrays.stream(sealed.getPermittedSubclasses())
        .flatMap(c -> c.isSealed() ? leaves(c).stream() : Stream.of(c))
        .collect(Collectors.toSet());
  }
}
