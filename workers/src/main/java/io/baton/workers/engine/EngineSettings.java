package io.baton.workers.engine;

import com.typesafe.config.Config;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The engine part of the workers' settings, read from {@code baton.workers.engine}.
 *
 * @param models the reference models a worker can load
 * @param timing simulated GPU delays
 * @param cacheCapacityBlocks simulated GPU memory for KV blocks, in blocks of 16 tokens
 */
public record EngineSettings(List<ModelSpec> models, GpuTiming timing, int cacheCapacityBlocks) {

  public EngineSettings {
    models = List.copyOf(models);
    if (models.stream().map(ModelSpec::id).distinct().count() != models.size()) {
      throw new IllegalArgumentException("model ids must be unique");
    }
  }

  public static EngineSettings fromConfig(Config engine) {
    List<ModelSpec> models =
        engine.getConfigList("models").stream()
            .map(
                m ->
                    new ModelSpec(
                        m.getString("id"),
                        m.getInt("layers"),
                        m.getInt("width"),
                        m.getInt("heads"),
                        m.getInt("vocab"),
                        m.getInt("max-context"),
                        m.getLong("seed")))
            .toList();
    Config t = engine.getConfig("timing");
    return new EngineSettings(
        models,
        new GpuTiming(t.getDuration("prefill-per-token"), t.getDuration("decode-per-token")),
        engine.getInt("cache-capacity-blocks"));
  }

  public Optional<ModelSpec> model(String id) {
    return models.stream().filter(m -> m.id().equals(id)).findFirst();
  }

  /** An engine for the model, with a fresh cache reporting to {@code listener}. */
  public ReferenceEngine engine(String modelId, Consumer<KvEvent> listener) {
    ModelSpec spec =
        model(modelId).orElseThrow(() -> new IllegalArgumentException("unknown model " + modelId));
    return new ReferenceEngine(spec, timing, new BlockCache(cacheCapacityBlocks, listener));
  }
}
