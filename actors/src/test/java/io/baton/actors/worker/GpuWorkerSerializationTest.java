package io.baton.actors.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.baton.actors.Rejection;
import io.baton.actors.worker.GpuWorkerCommand.*;
import io.baton.actors.worker.GpuWorkerEvent.*;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Events are a stored schema and commands cross the wire: each must survive Jackson CBOR unchanged.
 * The completeness checks fail when a new record is added to a sealed interface but not here.
 */
class GpuWorkerSerializationTest {
  private static final Instant AT = Instant.parse("2025-03-01T12:34:56.123456789Z");

  private static ActorTestKit testKit;

  @BeforeAll
  static void start() {
    testKit = WorkerFixture.actorTestKit();
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  static List<GpuWorkerEvent> events() {
    return List.of(
        new Registered("gpu-1", WorkerFixture.GPU, Pool.SPARE, "agent-node-1", AT),
        new HeartbeatRecorded(AT),
        new XidRecorded(48, XidClass.RESET_GPU, "NVRM: Xid (PCI:0000:3b:00): 48, DBE", "agent-node-1", AT),
        new XidRecorded(999, XidClass.UNKNOWN, null, "chaos", AT),
        new Cordoned("fleet-controller", "XID 48", AT),
        new ReturnedToService("alice", "inspected", AT),
        new DrainStarted("alice", "kernel upgrade", AT),
        new MarkedSuspect("fleet-controller", "no token for 30s", AT),
        new ResetStarted("fleet-controller", "XID 48", AT),
        new HealthCheckPassed("fleet-controller", "output matched", AT),
        new HealthCheckFailed("fleet-controller", "output mismatch", AT),
        new Promoted("fleet-controller", "replacing gpu-2", AT),
        new Demoted("fleet-controller", "scale down", AT),
        new Retired("fleet-controller", "2 consecutive failed health checks", AT));
  }

  @Test
  void everyEventRoundTrips() {
    for (GpuWorkerEvent event : events()) {
      testKit.serializationTestKit().verifySerialization(event, true);
    }
    assertCovers(GpuWorkerEvent.class, events().stream());
  }

  @Test
  void aStateWithHistoryAndXidRoundTrips() {
    GpuWorkerState state = GpuWorkerState.empty("gpu-1");
    for (GpuWorkerEvent event : events()) {
      state = state.apply(event);
    }
    assertEquals(GpuStatus.RETIRED, state.status());
    assertEquals(XidClass.UNKNOWN, state.lastXid().xidClass());
    assertEquals(events().size() - 3, state.history().size());

    testKit.serializationTestKit().verifySerialization(state, true);
    testKit.serializationTestKit().verifySerialization(GpuWorkerState.empty("gpu-2"), true);
  }

  @Test
  void everyCommandAndReplyRoundTrips() {
    ActorRef<Reply> replyTo = testKit.<Reply>createTestProbe().ref();
    ActorRef<GpuWorkerState> stateTo = testKit.<GpuWorkerState>createTestProbe().ref();
    List<GpuWorkerCommand> commands = List.of(
        new Register(WorkerFixture.GPU, Pool.ACTIVE, "agent-node-1", replyTo),
        new Heartbeat(replyTo),
        new RecordXid(79, "fallen off the bus", "agent-node-1", replyTo),
        new Cordon("alice", "maintenance", replyTo),
        new Uncordon("alice", "done", replyTo),
        new Drain("alice", "kernel upgrade", replyTo),
        new MarkSuspect("fleet-controller", "no heartbeat for 10s", replyTo),
        new StartReset("fleet-controller", "XID 48", replyTo),
        new ReportHealthCheck(true, "fleet-controller", "output matched", replyTo),
        new ReportResetFailed("agent@node-1", "reset command exited with status 1", replyTo),
        new Promote("fleet-controller", "replacing gpu-2", replyTo),
        new Demote("fleet-controller", "scale down", replyTo),
        new GetState(stateTo));
    List<Reply> replies = List.of(
        new Accepted(GpuStatus.DRAINING),
        new Rejected(Rejection.of(Rejection.Reason.ILLEGAL_STATE, "gpu-1 is retired for good")));

    commands.forEach(c -> testKit.serializationTestKit().verifySerialization(c, true));
    replies.forEach(r -> testKit.serializationTestKit().verifySerialization(r, true));
    assertCovers(GpuWorkerCommand.class, commands.stream());
    assertCovers(Reply.class, replies.stream());
  }

  /** Every record permitted under {@code sealed}, however deep, appears among {@code samples}. */
  private static void assertCovers(Class<?> sealed, Stream<?> samples) {
    Set<Class<?>> seen = samples.map(Object::getClass).collect(Collectors.toSet());
    assertEquals(records(sealed), seen, "round-trip a sample of every " + sealed.getSimpleName());
  }

  private static Set<Class<?>> records(Class<?> type) {
    if (type.isRecord()) {
      return Set.of(type);
    }
    return Stream.of(type.getPermittedSubclasses())
        .flatMap(c -> records(c).stream())
        .collect(Collectors.toSet());
  }
}
