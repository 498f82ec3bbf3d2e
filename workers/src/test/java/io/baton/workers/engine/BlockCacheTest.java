package io.baton.workers.engine;

import static io.baton.workers.engine.Models.GREEDY;
import static io.baton.workers.engine.Models.SMALL;
import static io.baton.workers.engine.Models.concat;
import static io.baton.workers.engine.Models.generate;
import static io.baton.workers.engine.Models.prompt;
import static io.baton.workers.engine.Models.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BlockCacheTest {
  private final List<KvEvent> events = new ArrayList<>();

  private static KvPage page() {
    return new KvPage(SMALL.layers(), SMALL.width());
  }

  @Test
  void evictsTheLeastRecentlyUsedBlockBeyondCapacity() {
    BlockCache cache = new BlockCache(2, events::add);
    cache.put("a", page());
    cache.put("b", page());
    assertTrue(cache.lookup("a").isPresent()); // a is now more recent than b
    cache.put("c", page());
    assertEquals(2, cache.size());
    assertFalse(cache.contains("b"));
    assertEquals(List.of("a", "c"), cache.hashes());
    assertEquals(
        List.of(
            new KvEvent.Stored("a"),
            new KvEvent.Stored("b"),
            new KvEvent.Stored("c"),
            new KvEvent.Evicted("b")),
        events);
  }

  @Test
  void storingAKnownBlockAgainSendsNoEvent() {
    BlockCache cache = new BlockCache(4, events::add);
    cache.put("a", page());
    cache.put("a", page());
    assertEquals(List.of(new KvEvent.Stored("a")), events);
    cache.clear();
    assertEquals(new KvEvent.Evicted("a"), events.get(1));
    assertEquals(0, cache.size());
  }

  @Test
  void generationsReportTheBlocksTheyFillAndTheCacheStaysBounded() {
    ReferenceEngine engine =
        new ReferenceEngine(SMALL, GpuTiming.NONE, new BlockCache(2, events::add));
    List<KvBlock> blocks =
        engine.start(GenerationRequest.fresh(prompt(50, 1), GREEDY)).exportBlocks();
    assertEquals(3, blocks.size());
    assertEquals(
        List.of(
            new KvEvent.Stored(blocks.get(0).hash()),
            new KvEvent.Stored(blocks.get(1).hash()),
            new KvEvent.Stored(blocks.get(2).hash()),
            new KvEvent.Evicted(blocks.get(0).hash())),
        events);
    assertEquals(2, engine.cache().size());
  }

  @Test
  void sharedPrefixesReuseCachedBlocks() {
    ReferenceEngine engine = ReferenceEngine.of(SMALL, 64);
    List<Integer> system = prompt(32, 2);
    List<Integer> first = concat(system, prompt(9, 5));
    List<Integer> second = concat(system, prompt(7, 6));

    Generation a = engine.start(GenerationRequest.fresh(first, GREEDY));
    assertEquals(new Generation.PrefillStats(41, 0, 0, 41, Duration.ZERO), a.prefill());

    Generation b = engine.start(GenerationRequest.fresh(second, GREEDY));
    assertEquals(32, b.prefill().cachedTokens());
    assertEquals(7, b.prefill().computedTokens());
    // Reuse changes the cost, never the output.
    assertEquals(run(SMALL, second, GREEDY, 20), generate(b, 20));

    Generation unrelated = engine.start(GenerationRequest.fresh(prompt(40, 7), GREEDY));
    assertEquals(0, unrelated.prefill().reusedTokens());
  }

  @Test
  void evictedBlocksAreRecomputed() {
    ReferenceEngine engine = ReferenceEngine.of(SMALL, 1);
    List<Integer> prompt = prompt(40, 8);
    engine.start(GenerationRequest.fresh(prompt, GREEDY)); // block 0 is evicted by block 1
    Generation again = engine.start(GenerationRequest.fresh(prompt, GREEDY));
    // Reuse stops at the first missing block, so the cached second block cannot be used alone.
    assertEquals(0, again.prefill().reusedTokens());
    assertEquals(run(SMALL, prompt, GREEDY, 10), generate(again, 10));
  }

  @Test
  void aZeroCapacityCacheStoresNothing() {
    ReferenceEngine engine =
        new ReferenceEngine(SMALL, GpuTiming.NONE, new BlockCache(0, events::add));
    engine.start(GenerationRequest.fresh(prompt(40, 9), GREEDY));
    assertEquals(0, engine.cache().size());
    assertTrue(events.isEmpty());
  }
}
