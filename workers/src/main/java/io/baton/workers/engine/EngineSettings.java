package io.baton.workers.engine;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The engine part of the workers' settings, read from {@code baton.workers.engine}.
 *
 * @param models the reference models a worker can load
 * @param timing simulated GPU delays
 * @param cacheCapacityBlocks simulated GPU memory for KV blocks, in blocks of 16 tokens
 * @param remote how the agent drives engine servers (vLLM, SGLang, llama.cpp, baton engine serve)
 */
public record EngineSettings(List<ModelSpec> models, GpuTiming timing, int cacheCapacityBlocks, Remote remote) {

  /**
   * @param stallTimeout a stream without an event for this long counts as a lost engine
   * @param maxConnections the most concurrent generations per engine server (one connection each)
   * @param startTimeout how long a node waits for an engine server it started to serve
   * @param resetCommand how a GPU whose engine was lost is reset ({@code {url}}, {@code {index}}); empty: none
   * @param resetTimeout how long the reset command and the engine's coming back may take
   */
  public record Remote(Duration stallTimeout, int maxConnections, Duration startTimeout, String resetCommand,
      Duration resetTimeout) {
    public Remote {
      if (stallTimeout.isNegative() || stallTimeout.isZero() || maxConnections < 1 || startTimeout.isZero()
          || resetTimeout.isNegative() || resetTimeout.isZero()) {
        throw new IllegalArgumentException("baton.workers.engine.remote: stall-timeout, start-timeout and"
            + " reset-timeout must be positive and max-connections at least 1");
      }
    }
  }

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
        engine.getInt("cache-capacity-blocks"),
        new Remote(engine.getDuration("remote.stall-timeout"), engine.getInt("remote.max-connections"),
            engine.getDuration("remote.start-timeout"), engine.getString("remote.reset-command"),
            engine.getDuration("remote.reset-timeout")));
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
