package io.baton.workers.engine;

import java.util.Collection;
import java.util.Optional;

/**
 * The built-in engine: a small seeded transformer on the CPU, posing as one GPU. Deterministic,
 * with a real paged KV cache, so every resume path can be checked token for token.
 */
public final class ReferenceEngine implements InferenceEngine {
  private final ModelSpec spec;
  private final GpuTiming timing;
  private final BlockCache cache;
  private final Transformer transformer;
  private final ReferenceTokenizer tokenizer;
  private final FaultHooks hooks = new FaultHooks();

  /**
   * @param cache the simulated GPU memory; engines of several models on one GPU may share it
   */
  public ReferenceEngine(ModelSpec spec, GpuTiming timing, BlockCache cache) {
    this.spec = spec;
    this.timing = timing;
    this.cache = cache;
    this.transformer = new Transformer(spec);
    this.tokenizer = new ReferenceTokenizer(spec.vocab());
  }

  /** An engine with no simulated delays and a cache of {@code cacheBlocks} blocks. */
  public static ReferenceEngine of(ModelSpec spec, int cacheBlocks) {
    return new ReferenceEngine(spec, GpuTiming.NONE, new BlockCache(cacheBlocks));
  }

  @Override
  public ModelInfo model() {
    return spec.info();
  }

  @Override
  public EngineCapabilities capabilities() {
    return EngineCapabilities.reference();
  }

  @Override
  public Tokenizer tokenizer() {
    return tokenizer;
  }

  @Override
  public Generation start(GenerationRequest request) {
    hooks.beforeStart();
    ReferenceGeneration generation = new ReferenceGeneration(this, request);
    generation.prefill(request.restored(), hooks.slowdown());
    return generation;
  }

  @Override
  public Optional<FaultHooks> faults() {
    return Optional.of(hooks);
  }

  @Override
  public Collection<String> heldBlocks() {
    return cache.hashes();
  }

  @Override
  public void reset() {
    hooks.clear();
    cache.clear();
  }

  public BlockCache cache() {
    return cache;
  }

  ModelSpec spec() {
    return spec;
  }

  GpuTiming timing() {
    return timing;
  }

  Transformer transformer() {
    return transformer;
  }

  FaultHooks hooks() {
    return hooks;
  }
}
