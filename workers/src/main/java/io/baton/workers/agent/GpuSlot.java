package io.baton.workers.agent;

import io.baton.actors.worker.GpuSpec;
import io.baton.actors.worker.GpuStatus;
import io.baton.actors.worker.Pool;
import io.baton.workers.engine.Generation;
import io.baton.workers.engine.InferenceEngine;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * One GPU as its agent tracks it. Mutable, and touched only by the agent's actor, so it needs no
 * locking; everything durable about the GPU lives in its GpuWorker entity, not here.
 */
final class GpuSlot {
  /** One attempt running on the GPU. */
  record Run(int attempt, ActorRef<SessionRunner.Command> runner) {}

  final String gpuId;
  final GpuSpec spec;
  final Pool initialPool;
  final InferenceEngine engine;
  /** As last heard from the GpuWorker entity: UNREGISTERED until registration is acknowledged. */
  GpuStatus status = GpuStatus.UNREGISTERED;
  /** Its PCI bus id and UUID as the host's inventory lists them; null until the kernel-log watcher maps it. */
  GpuIdentity identity;
  /** A reset or health check is under way; no placements meanwhile. */
  boolean remediating;
  final Map<String, Run> runs = new HashMap<>();
  long restoredTokens;
  long cachedTokens;
  long computedTokens;

  GpuSlot(String gpuId, GpuSpec spec, Pool initialPool, InferenceEngine engine) {
    this.gpuId = gpuId;
    this.spec = spec;
    this.initialPool = initialPool;
    this.engine = engine;
  }

  /** The attempt running for each session on this GPU, for the GPU report. */
  Map<String, Integer> runningAttempts() {
    Map<String, Integer> out = new HashMap<>();
    runs.forEach((session, run) -> out.put(session, run.attempt()));
    return out;
  }

  /** Why the GPU cannot take one more session, or null when it can. */
  String refusal(int capacity) {
    if (status != GpuStatus.ACTIVE) {
      return gpuId + " is " + status;
    }
    if (remediating) {
      return gpuId + " is being reset";
    }
    if (runs.size() >= capacity) {
      return gpuId + " is full (" + capacity + " sessions)";
    }
    return null;
  }

  void countPrefill(Generation.PrefillStats stats) {
    restoredTokens += stats.restoredTokens();
    cachedTokens += stats.cachedTokens();
    computedTokens += stats.computedTokens();
  }

  AgentStatus.Gpu view(XidSignal xidSignal) {
    List<String> sessions = new ArrayList<>(runs.keySet());
    sessions.sort(null);
    return new AgentStatus.Gpu(gpuId, spec.hostId(), spec.model(), status, sessions, engine.heldBlocks().size(),
        restoredTokens, cachedTokens, computedTokens, remediating, identity, xidSignal, EngineView.of(engine));
  }
}
