package io.baton.actors.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.baton.actors.ActorsSettings;
import io.baton.actors.worker.GpuWorkerCommand.*;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;

/** Shared set-up for the GpuWorker tests: an in-memory journal and a GPU in any status. */
final class WorkerFixture {
  static final Config CONFIG = EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load());
  static final ActorsSettings SETTINGS = ActorsSettings.fromConfig(ConfigFactory.load());
  static final GpuSpec GPU = new GpuSpec("node-1", "host-1", 0, "tiny-llama", 4096);
  static final String OPERATOR = "alice";
  static final String CONTROLLER = "fleet-controller";

  private static final AtomicInteger NEXT_ID = new AtomicInteger();

  private WorkerFixture() {}

  static ActorTestKit actorTestKit() {
    return ActorTestKit.create(CONFIG);
  }

  /** A fresh entity under a worker id no other test uses, since the in-memory journal is shared. */
  static EventSourcedBehaviorTestKit<GpuWorkerCommand, GpuWorkerEvent, GpuWorkerState> newWorker(ActorTestKit testKit) {
    String id = "gpu-" + NEXT_ID.incrementAndGet();
    return EventSourcedBehaviorTestKit.create(testKit.system(), GpuWorker.create(id, SETTINGS));
  }

  /** Drives a new worker to {@code status} through ordinary commands. */
  static void bringTo(EventSourcedBehaviorTestKit<GpuWorkerCommand, GpuWorkerEvent, GpuWorkerState> kit,
      GpuStatus status) {
    if (status == GpuStatus.UNREGISTERED) {
      return;
    }
    Pool pool = status == GpuStatus.SPARE ? Pool.SPARE : Pool.ACTIVE;
    change(kit, r -> new Register(GPU, pool, "agent-node-1", r));
    if (status == GpuStatus.SUSPECT) {
      change(kit, r -> new MarkSuspect(CONTROLLER, "no token for 30s", r));
    } else if (status == GpuStatus.DRAINING) {
      change(kit, r -> new Drain(OPERATOR, "kernel upgrade", r));
    } else if (status == GpuStatus.CORDONED || status == GpuStatus.RESETTING || status == GpuStatus.RETIRED) {
      change(kit, r -> new Cordon(CONTROLLER, "XID 48", r));
    }
    if (status == GpuStatus.RESETTING) {
      change(kit, r -> new StartReset(CONTROLLER, "XID 48", r));
    } else if (status == GpuStatus.RETIRED) {
      change(kit, r -> new ReportHealthCheck(false, CONTROLLER, "output mismatch", r));
      change(kit, r -> new ReportHealthCheck(false, CONTROLLER, "output mismatch", r));
    }
    assertEquals(status, kit.getState().status());
  }

  static void change(EventSourcedBehaviorTestKit<GpuWorkerCommand, GpuWorkerEvent, GpuWorkerState> kit,
      Function<ActorRef<Reply>, GpuWorkerCommand> command) {
    Reply reply = kit.<Reply>runCommand(command).reply();
    assertEquals(Accepted.class, reply.getClass(), () -> "while setting up: " + reply);
  }
}
