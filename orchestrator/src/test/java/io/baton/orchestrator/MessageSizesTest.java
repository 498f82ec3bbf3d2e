package io.baton.orchestrator;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.baton.actors.session.SessionEvent;
import io.baton.actors.session.SessionSpec;
import io.baton.actors.session.SessionState;
import io.baton.persistence.BatonConfig;
import io.baton.workers.WorkersSettings;
import io.baton.workers.engine.ModelSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.serialization.SerializationExtension;
import org.junit.jupiter.api.Test;

/** A session state at a model's full context crosses nodes whole; the frame must hold it. */
class MessageSizesTest {
  @Test
  void theLargestStateOfTheShippedModelsSerializesWithinTheEstimateAndTheFrame() {
    Config config = BatonConfig.load(ConfigFactory.empty());
    WorkersSettings workers = WorkersSettings.fromConfig(config);
    ModelSpec widest = workers.engine().models().stream().max((a, b) -> a.maxContext() - b.maxContext()).orElseThrow();
    List<Integer> prompt = new ArrayList<>();
    for (int i = 0; i < widest.maxContext() - 1; i++) {
      prompt.add(widest.vocab() - 1 - i % 7);
    }
    String id = "cmpl-" + "f".repeat(32);
    SessionState state = SessionState.empty(id).apply(new SessionEvent.Submitted(id,
        new SessionSpec(widest.id(), prompt, new SessionSpec.Sampling(0.7, 0.9, Long.MAX_VALUE), 1, "tenant",
            0, null, List.of("stop")), Instant.now()));
    // A local system: the node's cluster config would bind the cluster port.
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "sizes",
        ConfigFactory.parseString("pekko.actor.provider = local").withFallback(config));
    try {
      byte[] bytes = SerializationExtension.get(system).serialize(state).get();
      assertTrue(bytes.length <= MessageSizes.largestState(workers), bytes.length + " bytes");
      assertDoesNotThrow(() -> MessageSizes.check(config, workers));
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().join();
    }
  }

  @Test
  void aFrameTooSmallForTheModelsStopsTheNode() {
    Config small = ConfigFactory.parseMap(Map.of("pekko.remote.artery.advanced.maximum-frame-size", "8KiB"))
        .withFallback(BatonConfig.load(ConfigFactory.empty()));
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> MessageSizes.check(small, WorkersSettings.fromConfig(small)));
    assertTrue(e.getMessage().startsWith("pekko.remote.artery.advanced.maximum-frame-size"), e.getMessage());
  }
}
