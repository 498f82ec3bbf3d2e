package io.baton.workers.agent;

import io.baton.actors.CborSerializable;
import io.baton.actors.queue.GpuLoad;
import io.baton.actors.session.Grant;
import io.baton.actors.worker.GpuStatus;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * What an agent tells every placer about one GPU, on the {@value #TOPIC} topic, every report
 * interval: where to send grants, how loaded it is, and which KV blocks its memory holds.
 *
 * @param status the GPU's status as the agent last heard it from its GpuWorker entity
 * @param sessions attempts running on the GPU now
 * @param capacity the most sessions the GPU runs at once
 * @param heldBlocks the KV block hashes in the GPU's memory, for prefix-aware placement
 * @param running the attempt number of each session running on the GPU, by session id: when the
 *     node goes silent, whoever hears of it knows which attempts to fail without asking it
 * @param identity the GPU's PCI bus id and UUID, or null when unknown; for /admin/workers on any node
 * @param xidSignal whether its host's kernel log is read; for /admin/workers on any node
 * @param runs each running attempt's class and start, for the admission queue's preemption
 */
public record GpuReport(
    String gpuId,
    String nodeId,
    String hostId,
    String model,
    ActorRef<AgentCommand> agent,
    ActorRef<Grant> grants,
    GpuStatus status,
    int sessions,
    int capacity,
    List<String> heldBlocks,
    Instant at,
    Map<String, Integer> running,
    GpuIdentity identity,
    XidSignal xidSignal,
    EngineView engine,
    List<GpuLoad.Run> runs)
    implements CborSerializable {

  public static final String TOPIC = "baton-gpu-reports";

  public GpuReport {
    heldBlocks = List.copyOf(heldBlocks);
    running = Map.copyOf(running);
    runs = runs == null ? List.of() : List.copyOf(runs);
  }

  /**
   * This report with one more session: a placer counts its own placements until the next report,
   * so sessions submitted together spread over GPUs instead of piling onto the one that looked idle.
   */
  public GpuReport withOneMoreSession() {
    return new GpuReport(gpuId, nodeId, hostId, model, agent, grants, status, sessions + 1, capacity, heldBlocks, at, running,
        identity, xidSignal, engine, runs);
  }

  public boolean hasRoom() {
    return sessions < capacity;
  }
}
