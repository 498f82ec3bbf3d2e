package io.baton.workers.engine;

import static io.baton.workers.engine.Models.GREEDY;
import static io.baton.workers.engine.Models.MEDIUM;
import static io.baton.workers.engine.Models.SMALL;
import static io.baton.workers.engine.Models.generate;
import static io.baton.workers.engine.Models.prompt;
import static io.baton.workers.engine.Models.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.baton.workers.WorkersSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModelSizesTest {

  @Test
  void modelsReportTheirDimensions() {
    assertEquals(
        new ModelInfo("baton-small", 256, 2, 64, 4, 1024, 16), ReferenceEngine.of(SMALL, 0).model());
    assertEquals(
        new ModelInfo("baton-medium", 320, 4, 128, 8, 2048, 16), ReferenceEngine.of(MEDIUM, 0).model());
    assertEquals(EngineCapabilities.reference(), ReferenceEngine.of(SMALL, 0).capabilities());
  }

  @Test
  void modelsOfDifferentSizesGenerateDifferently() {
    List<Integer> prompt = prompt(12, 2);
    List<Integer> small = run(SMALL, prompt, GREEDY, 32);
    List<Integer> medium = run(MEDIUM, prompt, GREEDY, 32);
    assertNotEquals(small, medium);
    assertTrue(medium.stream().allMatch(t -> t >= 0 && t < 320));
    assertEquals(medium, run(MEDIUM, prompt, GREEDY, 32));
  }

  @Test
  void blockPayloadsGrowWithTheModel() {
    List<Integer> prompt = prompt(16, 3);
    int small = payloadBytes(SMALL, prompt);
    int medium = payloadBytes(MEDIUM, prompt);
    assertEquals(12 + 2 * 2 * 16 * 64 * 4, small);
    assertEquals(12 + 4 * 2 * 16 * 128 * 4, medium);
  }

  private static int payloadBytes(ModelSpec spec, List<Integer> prompt) {
    return ReferenceEngine.of(spec, 0)
        .start(GenerationRequest.fresh(prompt, GREEDY))
        .exportBlocks()
        .get(0)
        .payloadBytes();
  }

  @Test
  void invalidRequestsAreRejected() {
    ReferenceEngine engine = ReferenceEngine.of(SMALL, 0);
    assertThrows(
        IllegalArgumentException.class,
        () -> engine.start(GenerationRequest.fresh(List.of(1, 256), GREEDY)));
    assertThrows(
        IllegalArgumentException.class, () -> GenerationRequest.fresh(List.of(), GREEDY));
    assertThrows(IllegalArgumentException.class, () -> new SamplingParams(0.5, 0, 1));
    assertThrows(IllegalArgumentException.class, () -> new ModelSpec("x", 1, 64, 3, 256, 64, 1));
  }

  @Test
  void aFullContextStopsDecoding() {
    ModelSpec tiny = new ModelSpec("tiny", 1, 16, 2, 96, 16, 9);
    List<Integer> prompt = List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
    Generation g = ReferenceEngine.of(tiny, 0).start(GenerationRequest.fresh(prompt, GREEDY));
    List<Integer> out = new ArrayList<>(generate(g, 6));
    assertEquals(6, out.size());
    assertThrows(IllegalStateException.class, g::step);
    assertThrows(
        IllegalArgumentException.class,
        () -> ReferenceEngine.of(tiny, 0).start(GenerationRequest.fresh(Models.concat(prompt, prompt), GREEDY)));
  }

  @Test
  void settingsAreReadFromConfig() {
    var settings =
        WorkersSettings.fromConfig(
                ConfigFactory.parseString(
                        "baton.workers.engine { cache-capacity-blocks = 7, timing.decode-per-token = 5ms }")
                    .withFallback(ConfigFactory.defaultReference()))
            .engine();
    assertEquals(7, settings.cacheCapacityBlocks());
    assertEquals(Duration.ofMillis(5), settings.timing().decodePerToken());
    assertEquals(List.of("baton-small", "baton-medium"), settings.models().stream().map(ModelSpec::id).toList());
    ReferenceEngine engine = settings.engine("baton-medium", event -> {});
    assertEquals(7, engine.cache().capacityBlocks());
    assertThrows(IllegalArgumentException.class, () -> settings.engine("nope", event -> {}));
  }
}
