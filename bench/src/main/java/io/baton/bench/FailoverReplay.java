package io.baton.bench;

import io.baton.actors.session.ResumeMethod;
import io.baton.actors.session.SessionSpec;
import io.baton.actors.session.SessionState;
import io.baton.persistence.kv.StoredBlock;
import io.baton.workers.engine.BlockHash;
import io.baton.workers.engine.GenerationRequest;
import io.baton.workers.engine.KvBlock;
import io.baton.workers.engine.ModelSpec;
import io.baton.workers.engine.ReferenceEngine;
import io.baton.workers.engine.SamplingParams;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Replays the two compute and I/O steps of a resume on an idle node, after the phase: fetching the
 * checkpoint's blocks from the store, and the engine's start (block import, prefill of the tail) plus
 * one decode step. Set beside the journaled gap that contains them, they tell the work from the
 * waiting in a loaded node: the rest is persists, asks and queues.
 */
final class FailoverReplay {
  /** Milliseconds: store fetch (0 for a recompute) and engine start plus one step. */
  record Costs(double fetch, double start) {}

  private final BenchNode node;

  FailoverReplay(BenchNode node) {
    this.node = node;
  }

  /**
   * @param resumeFrom the generated tokens durable when the second attempt was placed
   * @param restoredTokens context tokens that attempt imported from the store
   */
  Costs replay(SessionSpec spec, SessionState end, ResumeMethod method, int resumeFrom, long restoredTokens)
      throws Exception {
    ModelSpec model = node.node.services().workers().engine().model(spec.model()).orElseThrow();
    List<KvBlock> blocks = new ArrayList<>();
    double fetch = 0;
    if (method == ResumeMethod.KV_RESTORE && restoredTokens > 0) {
      List<String> hashes = end.checkpointBlocks().subList(0, (int) (restoredTokens / BlockHash.BLOCK_TOKENS));
      long t0 = System.nanoTime();
      Map<String, StoredBlock> found = node.node.services().store().getAll(model.id(), hashes)
          .toCompletableFuture().get(30, TimeUnit.SECONDS);
      fetch = (System.nanoTime() - t0) / 1e6;
      for (String hash : hashes) {
        StoredBlock b = found.get(hash);
        // The store names a chain's first parent null, the engine ROOT (as the agent's KvBlocks does).
        blocks.add(new KvBlock(b.hash(), b.parentHash() == null ? BlockHash.ROOT : b.parentHash(), b.tokens(),
            b.payload()));
      }
    }
    List<Integer> produced = end.tokens().subList(0, resumeFrom);
    SamplingParams sampling = SamplingParams.of(spec.sampling());
    GenerationRequest request = blocks.isEmpty()
        ? GenerationRequest.recompute(spec.promptTokens(), produced, sampling)
        : GenerationRequest.restore(spec.promptTokens(), produced, sampling, blocks);
    ReferenceEngine engine = ReferenceEngine.of(model, 0);
    long t1 = System.nanoTime();
    engine.start(request).step();
    return new Costs(fetch, (System.nanoTime() - t1) / 1e6);
  }
}
