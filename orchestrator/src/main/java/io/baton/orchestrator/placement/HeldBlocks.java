package io.baton.orchestrator.placement;

import io.baton.workers.agent.GpuReport;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Each GPU's held KV blocks as a set, built once per report rather than once per placement: a GPU
 * holds thousands of blocks and a busy placer scores every GPU for every session. Keyed by the
 * report's block list itself, which a placer's own load bumps keep ({@link GpuReport#withOneMoreSession}).
 * Touched only by the placer's actor.
 */
final class HeldBlocks {
  private record Entry(List<String> source, Set<String> set) {}

  private final Map<String, Entry> byGpu = new HashMap<>();

  Set<String> of(GpuReport report) {
    Entry e = byGpu.get(report.gpuId());
    if (e == null || e.source() != report.heldBlocks()) {
      e = new Entry(report.heldBlocks(), new HashSet<>(report.heldBlocks()));
      byGpu.put(report.gpuId(), e);
    }
    return e.set();
  }
}
