package io.baton.orchestrator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.baton.actors.app.ModelCatalog;
import io.baton.workers.WorkersSettings;
import io.baton.workers.engine.ModelSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

class NodeModelsTest {
  private static final ModelSpec SMALL =
      WorkersSettings.fromConfig(ConfigFactory.defaultReference()).engine().model("baton-small").orElseThrow();

  @Test
  void everyRequestSharesTheModelsOneCodec() {
    // Every open stream keeps its codec; one per request held a whole vocabulary per stream.
    NodeModels models = new NodeModels(List.of(SMALL));
    ModelCatalog.TextCodec codec = models.codec("baton-small").orElseThrow();
    assertSame(codec, models.codec("baton-small").orElseThrow());
    assertEquals("Hello, world", codec.decode(codec.encode("Hello, world")));
  }

  @Test
  void aModelNoGpuServesHasNoCodec() {
    assertTrue(new NodeModels(List.of(SMALL)).codec("baton-medium").isEmpty());
  }
}
