package io.baton.actors.queue;

import io.baton.actors.CborSerializable;
import java.time.Instant;
import java.util.List;

/**
 * What an admission queue needs of one GPU's report: whether it takes sessions, how many more it
 * has room for, and what runs on it, for preemption. Built from the agents' GPU reports on the
 * queue's own node.
 *
 * @param active the GPU is in rotation and its report is fresh
 */
public record GpuLoad(String gpuId, String model, boolean active, int free, List<Run> runs, Instant at)
    implements CborSerializable {

  /**
   * One attempt running on the GPU: the class it runs in, when it started there, and whether its
   * session was preempted before (the queue prefers to preempt one that was not, so the same
   * session is not sent back again and again).
   */
  public record Run(String sessionId, int attempt, int rank, Instant startedAt, boolean preemptedBefore)
      implements CborSerializable {}

  public GpuLoad {
    runs = List.copyOf(runs);
  }

  public boolean runs(String sessionId) {
    return runs.stream().anyMatch(r -> r.sessionId().equals(sessionId));
  }
}
