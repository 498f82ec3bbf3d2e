package io.baton.http.admin;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * What the admin API needs from the worker agents, which this module cannot see: which GPUs the
 * fleet has with their live load, and a way to hand an XID to the agent that owns a GPU. The
 * orchestrator implements it. The GpuWorker entities (status, reasons, cordons) are in actors/ and
 * are reached directly through sharding, so they need nothing here.
 */
public interface FleetAdmin {

  /**
   * One GPU as its agent last reported it.
   *
   * @param activeSessions attempts running on it now
   * @param cachedKvBlocks KV blocks held in its memory (what prefix-aware placement scores)
   * @param pciBusId its PCI bus id as its host's inventory lists it, or null when unknown
   * @param uuid its NVIDIA UUID, or null when unknown
   * @param xidSignal whether its host's kernel log is read, or null when its agent has not said
   * @param engine which engine serves it, or null when its agent has not said
   */
  record GpuLoad(String gpuId, String node, String host, String model, int activeSessions, int cachedKvBlocks,
      String pciBusId, String uuid, HostSignal xidSignal, Engine engine) {}

  /** The engine serving a GPU: its kind ("in-process" inside the node), base URL and pid when Baton started it. */
  record Engine(String kind, String url, Long pid) {}

  /**
   * The host's passive XID signal: "live" (its kernel log is followed), "stale" (the watcher lost
   * its source; XIDs go unseen until it reads again), or "off" (no watcher).
   *
   * @param since when it entered this state; null when off
   * @param reason why it is stale or off; null when live
   */
  record HostSignal(String state, Instant since, String reason) {}

  /** Every GPU an agent in the cluster reports (this node's always), in no particular order. */
  CompletionStage<List<GpuLoad>> gpus();

  /**
   * Hands an XID to the agent that owns the GPU, exactly as if the host's kernel log reported it:
   * the agent records it on the GpuWorker and acts by its class.
   *
   * @return false when no known agent owns the GPU
   */
  CompletionStage<Boolean> observeXid(String gpuId, int code, String detail);

  /**
   * Where a chaos fault went.
   *
   * @param delivered this node's agent owns the GPU and was handed the fault
   * @param ownerNode when not delivered: the node whose agent reports the GPU, or null when none does
   */
  record FaultDelivery(boolean delivered, String ownerNode) {}

  /**
   * Chaos: from now on the GPU's simulated prefill and decode take {@code factor} times as long (a
   * throttled GPU); 1.0 restores full speed, and so does a GPU reset. Only this node's GPUs: the
   * fault is handed to the engine in this JVM.
   */
  CompletionStage<FaultDelivery> slowDown(String gpuId, double factor);
}
