package io.baton.workers.agent;

import io.baton.actors.CborSerializable;
import io.baton.actors.worker.GpuStatus;
import java.util.List;

/** An agent's GPUs as it sees them now: for operators, tests and the admin API. */
public record AgentStatus(String nodeId, List<Gpu> gpus) implements CborSerializable {

  /**
   * @param sessions ids of the sessions running on the GPU
   * @param restoredTokens prefill tokens whose KV came from the KV block store, since the agent started
   * @param cachedTokens prefill tokens whose KV was already in the GPU's memory
   * @param computedTokens prefill tokens run through the model
   * @param remediating a reset or health check is under way
   * @param phase what the GPU's keeper is doing: joining, serving, suspect (being taken out), resetting,
   *     checking or retired
   * @param identity its PCI bus id and UUID, or null while the host's inventory has not listed it
   * @param xidSignal whether its host's kernel log is read (live), failing (stale), or not read (off)
   * @param engine which engine serves it
   */
  public record Gpu(
      String gpuId,
      String hostId,
      String model,
      GpuStatus status,
      List<String> sessions,
      int heldBlocks,
      long restoredTokens,
      long cachedTokens,
      long computedTokens,
      boolean remediating,
      String phase,
      GpuIdentity identity,
      XidSignal xidSignal,
      EngineView engine)
      implements CborSerializable {}

  public Gpu gpu(String gpuId) {
    return gpus.stream().filter(g -> g.gpuId().equals(gpuId)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no GPU " + gpuId + " on " + nodeId));
  }
}
