package io.baton.workers.agent;

import io.baton.actors.session.ResumeMethod;
import io.baton.actors.session.SessionSpec;
import io.baton.persistence.kv.KvBlockStore;
import io.baton.persistence.kv.StoredBlock;
import io.baton.workers.engine.BlockHash;
import io.baton.workers.engine.GenerationRequest;
import io.baton.workers.engine.InferenceEngine;
import io.baton.workers.engine.KvBlock;
import io.baton.workers.engine.SamplingParams;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Builds an attempt's generation request (DESIGN.md, "Resume plan"): restore the checkpointed
 * prefix from the KV block store, or recompute; and for a fresh session, restore the prompt's
 * leading blocks when another session already stored them and the cost model says fetching beats
 * computing. That is prompt caching across the cluster, for every model. Any store problem falls
 * back to recomputing, which is always exact; the plan never fails.
 */
final class ResumePlanner {
  /** What to start, and how it was decided, for the log. */
  record Plan(GenerationRequest request, String how) {}

  private final InferenceEngine engine;
  private final KvBlockStore store;
  private final ResumeCostModel costModel;

  /**
   * @param store null: no restores
   * @param costModel null: never restore a fresh session's prompt from the store
   */
  ResumePlanner(InferenceEngine engine, KvBlockStore store, ResumeCostModel costModel) {
    this.engine = engine;
    this.store = store;
    this.costModel = costModel;
  }

  CompletionStage<Plan> plan(SessionSpec spec, List<Integer> produced, List<String> checkpointBlocks, ResumeMethod method) {
    SamplingParams sampling = SamplingParams.of(spec.sampling());
    List<Integer> prompt = spec.promptTokens();
    Plan recompute = new Plan(produced.isEmpty()
        ? GenerationRequest.fresh(prompt, sampling)
        : GenerationRequest.recompute(prompt, produced, sampling), produced.isEmpty() ? "fresh" : "recompute");
    if (store == null || !engine.capabilities().canImportKv()) {
      return CompletableFuture.completedFuture(recompute);
    }
    try {
      if (method == ResumeMethod.KV_RESTORE && !checkpointBlocks.isEmpty()) {
        return fetch(checkpointBlocks)
            .thenApply(blocks -> blocks == null ? withNote(recompute, "checkpoint incomplete")
                : new Plan(GenerationRequest.restore(prompt, produced, sampling, blocks),
                    "restore " + blocks.size() + " checkpointed blocks"))
            .exceptionally(e -> withNote(recompute, "checkpoint unreadable: " + e));
      }
      if (method == ResumeMethod.FRESH && produced.isEmpty() && costModel != null) {
        return promptCache(prompt, sampling, recompute).exceptionally(e -> withNote(recompute, "store unreadable: " + e));
      }
    } catch (RuntimeException e) {
      return CompletableFuture.completedFuture(withNote(recompute, "store unavailable: " + e));
    }
    return CompletableFuture.completedFuture(recompute);
  }

  private CompletionStage<Plan> promptCache(List<Integer> prompt, SamplingParams sampling, Plan fresh) {
    int[] tokens = prompt.stream().mapToInt(Integer::intValue).toArray();
    List<String> chain = Arrays.asList(BlockHash.chain(tokens, tokens.length, engine.model().id()));
    Set<String> held = new HashSet<>(engine.heldBlocks());
    int local = 0;
    while (local < chain.size() && held.contains(chain.get(local))) {
      local++;
    }
    if (chain.isEmpty() || local == chain.size()) {
      return CompletableFuture.completedFuture(fresh);
    }
    int cachedBlocks = local;
    // Even every block stored would not beat computing (a short prompt): the store is not asked,
    // so a short request's first token waits for no Cassandra read.
    if (!costModel.restoreBeatsRecompute(engine.model(), chain.size() * BlockHash.BLOCK_TOKENS,
        cachedBlocks * BlockHash.BLOCK_TOKENS)) {
      return CompletableFuture.completedFuture(fresh);
    }
    return store.longestStoredPrefix(engine.model().id(), chain).thenCompose(stored -> {
      int blockTokens = BlockHash.BLOCK_TOKENS;
      if (stored <= cachedBlocks
          || !costModel.restoreBeatsRecompute(engine.model(), stored * blockTokens, cachedBlocks * blockTokens)) {
        return CompletableFuture.completedFuture(fresh);
      }
      return fetch(chain.subList(0, stored)).thenApply(blocks -> blocks == null ? fresh
          : new Plan(GenerationRequest.restore(prompt, List.of(), sampling, blocks),
              "prompt cache: restore " + blocks.size() + " stored blocks"));
    });
  }

  /** The blocks in order, or null when any is missing (expired by its TTL). */
  private CompletionStage<List<KvBlock>> fetch(List<String> hashes) {
    return store.getAll(engine.model().id(), hashes).thenApply((Map<String, StoredBlock> found) -> {
      List<KvBlock> blocks = new ArrayList<>(hashes.size());
      for (String hash : hashes) {
        StoredBlock b = found.get(hash);
        if (b == null) {
          return null;
        }
        blocks.add(KvBlocks.toEngine(b));
      }
      return blocks;
    });
  }

  private static Plan withNote(Plan plan, String note) {
    return new Plan(plan.request(), plan.how() + " (" + note + ")");
  }
}
