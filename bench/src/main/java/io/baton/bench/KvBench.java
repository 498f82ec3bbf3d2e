package io.baton.bench;

import com.typesafe.config.Config;
import io.baton.persistence.PersistenceSettings;
import io.baton.persistence.Schema;
import io.baton.persistence.kv.KvBlockStore;
import io.baton.persistence.kv.StoredBlock;
import io.baton.workers.WorkersSettings;
import io.baton.workers.agent.ResumeCostModel;
import io.baton.workers.engine.BlockCache;
import io.baton.workers.engine.BlockHash;
import io.baton.workers.engine.EngineSettings;
import io.baton.workers.engine.Generation;
import io.baton.workers.engine.GenerationRequest;
import io.baton.workers.engine.GpuTiming;
import io.baton.workers.engine.KvBlock;
import io.baton.workers.engine.ModelSpec;
import io.baton.workers.engine.ReferenceEngine;
import io.baton.workers.engine.SamplingParams;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Resume by KV_RESTORE against RECOMPUTE with real CPU compute (no simulated GPU time): each
 * context is generated once, its KV blocks are written to the block store in a fresh Cassandra,
 * then every round resumes it both ways on a cold engine up to the first decoded token, which must
 * equal the uninterrupted run's. The measurements calibrate {@link ResumeCostModel}.
 */
@Command(name = "kv", mixinStandardHelpOptions = true,
    description = "KV restore from Cassandra vs recompute: time to first token of a resume.")
final class KvBench implements Callable<Integer> {
  private static final SamplingParams SAMPLING = new SamplingParams(0.8, 0.9, 7);

  @Option(names = "--contexts", split = ",", defaultValue = "16,32,64,128,256,1024,4096",
      description = "Context sizes in tokens (prompt + generated).")
  List<Integer> contexts;

  @Option(names = "--models", split = ",", defaultValue = "baton-small,baton-medium:1024",
      description = "Models as id[:largest context]; baton-medium at 4096 takes ~36 s per recompute on 2 cores.")
  List<String> models;

  @Option(names = "--rounds", defaultValue = "5",
      description = "Measured rounds, tripled for contexts up to 256 tokens (median and p90 shown).")
  int rounds;

  /** One context of one model, ready to resume: its tokens, stored blocks and expected next token. */
  record Point(ModelSpec spec, int context, List<Integer> prompt, List<Integer> generated,
      List<String> hashes, int expected, List<Double> recomputeMs, List<Double> restoreMs) {}

  @Override
  public Integer call() throws Exception {
    try (BenchCassandra cassandra = new BenchCassandra()) {
      Config config = cassandra.config("");
      ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "kv-bench", config);
      try {
        Schema.create(system).toCompletableFuture().get(2, TimeUnit.MINUTES);
        KvBlockStore store = KvBlockStore.create(Schema.session(system), PersistenceSettings.fromConfig(config))
            .toCompletableFuture().get(1, TimeUnit.MINUTES);
        EngineSettings engines = WorkersSettings.fromConfig(config).engine();
        ResumeCostModel configured = ResumeCostModel.fromConfig(config);
        // The bench runs without simulated GPU time, so its choices must be judged without it too.
        ResumeCostModel real = configured.withSimulatedPrefillPerToken(Duration.ZERO);
        List<Point> all = new ArrayList<>();
        for (String entry : models) {
          all.addAll(measure(engines, entry, store));
        }
        KvReport.print(all, real, configured);
      } finally {
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().get(1, TimeUnit.MINUTES);
      }
    }
    return 0;
  }

  private List<Point> measure(EngineSettings engines, String entry, KvBlockStore store) throws Exception {
    String[] parts = entry.split(":");
    ModelSpec configured = engines.model(parts[0])
        .orElseThrow(() -> new IllegalArgumentException("unknown model " + parts[0]));
    int cap = parts.length > 1 ? Integer.parseInt(parts[1]) : Integer.MAX_VALUE;
    List<Integer> sizes = contexts.stream().filter(c -> c <= cap && c >= BlockHash.BLOCK_TOKENS).sorted().toList();
    if (sizes.isEmpty()) {
      return List.of();
    }
    // Max context sizes no weight (weights are drawn from the seed and the dimensions only, and
    // block hashes name the id), so a bench-only copy with room for the largest context computes
    // exactly what the configured model would.
    int room = Math.max(configured.maxContext(), sizes.get(sizes.size() - 1) + BlockHash.BLOCK_TOKENS);
    ModelSpec spec = new ModelSpec(configured.id(), configured.layers(), configured.width(), configured.heads(),
        configured.vocab(), room, configured.seed());
    List<Point> points = new ArrayList<>();
    for (int n : sizes) {
      System.err.println("bench: generating a " + n + "-token context on " + spec.id() + " ...");
      points.add(setup(spec, n, store, engines.cacheCapacityBlocks()));
    }
    // Warm-up on the cheap contexts (the large ones run the same code): the JIT of this JVM, and
    // Cassandra's read path, whose first few hundred reads are several times slower.
    for (int w = 0; w < 10; w++) {
      for (Point p : points) {
        if (p.context() <= 256) {
          if (w < 3) {
            recompute(p, engines, null);
          }
          restore(p, engines, store, null);
        }
      }
    }
    for (int r = 0; r < rounds; r++) {
      System.err.println("bench: " + spec.id() + " round " + (r + 1) + "/" + rounds + " ...");
      // Both methods of a context run back to back, so both see the same (drifting, shared) box.
      // Short contexts, where the switch lies and a few ms of noise decide it, run three times.
      for (Point p : points) {
        for (int i = 0; i < (p.context() <= 256 ? 3 : 1); i++) {
          recompute(p, engines, p.recomputeMs());
          restore(p, engines, store, p.restoreMs());
        }
      }
    }
    return points;
  }

  /** Half prompt, half generated tokens; the blocks are exported as a checkpoint would be. */
  private static Point setup(ModelSpec spec, int n, KvBlockStore store, int cacheBlocks) throws Exception {
    List<Integer> prompt = IntStream.range(0, n / 2).map(i -> (i * 37 + 5) % 200).boxed().toList();
    Generation g = engine(spec, cacheBlocks).start(GenerationRequest.fresh(prompt, SAMPLING));
    List<Integer> generated = new ArrayList<>();
    while (prompt.size() + generated.size() < n) {
      generated.add(g.next());
    }
    List<KvBlock> blocks = g.exportBlocks();
    int expected = g.next();
    store.putAll(spec.id(), blocks.stream().map(KvBench::toStored).toList()).toCompletableFuture()
        .get(1, TimeUnit.MINUTES);
    return new Point(spec, n, prompt, List.copyOf(generated), blocks.stream().map(KvBlock::hash).toList(),
        expected, new ArrayList<>(), new ArrayList<>());
  }

  private static void recompute(Point p, EngineSettings engines, List<Double> into) {
    ReferenceEngine engine = engine(p.spec(), engines.cacheCapacityBlocks());
    long t0 = System.nanoTime();
    Generation g = engine.start(GenerationRequest.recompute(p.prompt(), p.generated(), SAMPLING));
    int token = g.next();
    double ms = (System.nanoTime() - t0) / 1e6;
    check(p, "recompute", token, g.prefill().computedTokens() == p.context());
    if (into != null) {
      into.add(ms);
    }
  }

  private static void restore(Point p, EngineSettings engines, KvBlockStore store, List<Double> into)
      throws Exception {
    ReferenceEngine engine = engine(p.spec(), engines.cacheCapacityBlocks());
    long t0 = System.nanoTime();
    Map<String, StoredBlock> found =
        store.getAll(p.spec().id(), p.hashes()).toCompletableFuture().get(1, TimeUnit.MINUTES);
    List<KvBlock> blocks = new ArrayList<>(p.hashes().size());
    for (String hash : p.hashes()) {
      StoredBlock b = found.get(hash);
      if (b == null) {
        throw new IllegalStateException("block " + hash + " of " + p.spec().id() + " is missing from the store");
      }
      blocks.add(toEngine(b));
    }
    Generation g = engine.start(GenerationRequest.restore(p.prompt(), p.generated(), SAMPLING, blocks));
    int token = g.next();
    double ms = (System.nanoTime() - t0) / 1e6;
    check(p, "restore", token, g.prefill().restoredTokens() == blocks.size() * BlockHash.BLOCK_TOKENS);
    if (into != null) {
      into.add(ms);
    }
  }

  /** A resume that differs from the uninterrupted run, or did not take its path, fails the bench. */
  private static void check(Point p, String method, int token, boolean tookPath) {
    if (token != p.expected()) {
      throw new IllegalStateException(method + " of " + p.spec().id() + " at " + p.context() + " tokens decoded "
          + token + ", the uninterrupted run " + p.expected());
    }
    if (!tookPath) {
      throw new IllegalStateException(method + " of " + p.spec().id() + " at " + p.context()
          + " tokens did not reuse what it should have");
    }
  }

  private static ReferenceEngine engine(ModelSpec spec, int cacheBlocks) {
    return new ReferenceEngine(spec, GpuTiming.NONE, new BlockCache(cacheBlocks));
  }

  // The same conversions as the workers' package-private KvBlocks: the store names the first
  // block's parent null, the engine BlockHash.ROOT.
  private static StoredBlock toStored(KvBlock b) {
    String parent = BlockHash.ROOT.equals(b.parentHash()) ? null : b.parentHash();
    return new StoredBlock(b.hash(), parent, b.tokens(), b.payload());
  }

  private static KvBlock toEngine(StoredBlock b) {
    String parent = b.parentHash() == null ? BlockHash.ROOT : b.parentHash();
    return new KvBlock(b.hash(), parent, b.tokens(), b.payload());
  }
}
