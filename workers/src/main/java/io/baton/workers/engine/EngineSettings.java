package io.baton.workers.engine;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigUtil;
import io.baton.workers.engine.remote.EngineKind;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
   * @param resetCommands by engine kind id, a reset command that replaces {@code resetCommand} for
   *     that kind; kinds without one (or with an empty one) use {@code resetCommand}
   * @param resetTimeout how long the reset command and the engine's coming back may take
   */
  public record Remote(Duration stallTimeout, int maxConnections, Duration startTimeout, String resetCommand,
      Map<String, String> resetCommands, Duration resetTimeout) {
    public Remote {
      resetCommands = Map.copyOf(resetCommands);
      resetCommands.keySet().forEach(EngineKind::of);
      if (stallTimeout.isNegative() || stallTimeout.isZero() || maxConnections < 1 || startTimeout.isZero()
          || resetTimeout.isNegative() || resetTimeout.isZero()) {
        throw new IllegalArgumentException("baton.workers.engine.remote: stall-timeout, start-timeout and"
            + " reset-timeout must be positive and max-connections at least 1");
      }
    }

    /** The reset command for a GPU served by an engine of this kind; empty when there is none. */
    public String resetCommandFor(EngineKind kind) {
      String own = resetCommands.getOrDefault(kind.id(), "");
      return own.isBlank() ? resetCommand : own;
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
            resetCommands(engine.getConfig("remote.reset-commands")), engine.getDuration("remote.reset-timeout")));
  }

  private static Map<String, String> resetCommands(Config byKind) {
    Map<String, String> out = new HashMap<>();
    byKind.root().keySet().forEach(kind -> {
      try {
        out.put(EngineKind.of(kind).id(), byKind.getString(ConfigUtil.joinPath(kind)));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("baton.workers.engine.remote.reset-commands: " + e.getMessage(), e);
      }
    });
    return out;
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
