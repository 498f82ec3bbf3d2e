package io.baton.actors.worker;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.actors.Rejection;
import io.baton.actors.worker.GpuWorkerCommand.*;
import java.util.function.Function;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResultWithReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/** One actor system per test class, a fresh GPU worker per test, and the helpers the worker tests share. */
abstract class GpuWorkerTestBase {
  static ActorTestKit testKit;
  EventSourcedBehaviorTestKit<GpuWorkerCommand, GpuWorkerEvent, GpuWorkerState> kit;

  @BeforeAll
  static void start() {
    testKit = WorkerFixture.actorTestKit();
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void newWorker() {
    kit = WorkerFixture.newWorker(testKit);
  }

  CommandResultWithReply<GpuWorkerCommand, GpuWorkerEvent, GpuWorkerState, Reply> run(
      Function<ActorRef<Reply>, GpuWorkerCommand> command) {
    return kit.runCommand(command);
  }

  static Rejection.Reason rejected(CommandResultWithReply<?, ?, ?, Reply> result) {
    assertTrue(result.hasNoEvents(), "a rejected command persists nothing");
    return assertInstanceOf(Rejected.class, result.reply()).rejection().reason();
  }

  /** The state as GetState answers it: the journaled state with the live heartbeat overlaid. */
  GpuWorkerState query() {
    TestProbe<GpuWorkerState> probe = testKit.createTestProbe();
    kit.runCommand(new GetState(probe.ref()));
    return probe.receiveMessage();
  }
}
