package io.baton.workers.engine;

import static io.baton.workers.engine.Models.GREEDY;
import static io.baton.workers.engine.Models.MEDIUM;
import static io.baton.workers.engine.Models.SMALL;
import static io.baton.workers.engine.Models.prompt;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BlockHashTest {
  private final List<Integer> prompt = prompt(40, 3);

  private static List<KvBlock> blocksOf(ModelSpec spec, List<Integer> prompt) {
    return ReferenceEngine.of(spec, 0).start(GenerationRequest.fresh(prompt, GREEDY)).exportBlocks();
  }

  @Test
  void samePrefixGivesSameHashesAndBitsOnEveryEngine() {
    List<KvBlock> a = blocksOf(SMALL, prompt);
    List<KvBlock> b = blocksOf(SMALL, prompt);
    assertEquals(2, a.size());
    for (int i = 0; i < a.size(); i++) {
      assertEquals(a.get(i).hash(), b.get(i).hash());
      assertArrayEquals(a.get(i).payload(), b.get(i).payload());
    }
    assertTrue(a.get(0).hash().matches("[0-9a-f]{32}"), a.get(0).hash());
  }

  @Test
  void modelIsPartOfTheHash() {
    assertNotEquals(blocksOf(SMALL, prompt).get(0).hash(), blocksOf(MEDIUM, prompt).get(0).hash());
    int[] tokens = prompt.stream().mapToInt(Integer::intValue).toArray();
    assertNotEquals(
        BlockHash.of(BlockHash.ROOT, tokens, 0, "baton-small"),
        BlockHash.of(BlockHash.ROOT, tokens, 0, "baton-medium"));
  }

  @Test
  void hashesChainThroughTheirParents() {
    List<KvBlock> blocks = blocksOf(SMALL, prompt);
    assertEquals(BlockHash.ROOT, blocks.get(0).parentHash());
    assertEquals(blocks.get(0).hash(), blocks.get(1).parentHash());
    assertEquals(prompt.subList(16, 32), blocks.get(1).tokens());

    // Changing only the first block changes the second block's hash too: a hash names the prefix.
    List<Integer> changed = new ArrayList<>(prompt);
    changed.set(0, changed.get(0) + 1);
    List<KvBlock> other = blocksOf(SMALL, changed);
    assertNotEquals(blocks.get(0).hash(), other.get(0).hash());
    assertEquals(blocks.get(1).tokens(), other.get(1).tokens());
    assertNotEquals(blocks.get(1).hash(), other.get(1).hash());
  }

  @Test
  void restoreRejectsBlocksOfAnotherContextOrModel() {
    List<KvBlock> blocks = blocksOf(SMALL, prompt);
    List<Integer> otherPrompt = prompt(40, 4);
    ReferenceEngine engine = ReferenceEngine.of(SMALL, 16);
    assertThrows(
        IllegalArgumentException.class,
        () -> engine.start(GenerationRequest.restore(otherPrompt, List.of(), GREEDY, blocks)));
    assertThrows(
        IllegalArgumentException.class,
        () -> ReferenceEngine.of(MEDIUM, 16)
            .start(GenerationRequest.restore(prompt, List.of(), GREEDY, blocks)));
    // Blocks must form a prefix: the second block alone does not.
    assertThrows(
        IllegalArgumentException.class,
        () -> engine.start(GenerationRequest.restore(prompt, List.of(), GREEDY, blocks.subList(1, 2))));
    assertEquals(0, engine.cache().size());
  }

  @Test
  void incrementalExportSkipsBlocksAlreadyCheckpointed() {
    Generation g = ReferenceEngine.of(SMALL, 0).start(GenerationRequest.fresh(prompt, GREEDY));
    List<KvBlock> all = g.exportBlocks();
    assertEquals(List.of(all.get(1).hash()), g.exportBlocks(1).stream().map(KvBlock::hash).toList());
    assertEquals(0, g.exportBlocks(5).size());
  }
}
