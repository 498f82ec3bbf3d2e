package io.baton.chaos.report;

import java.util.List;
import java.util.Objects;

/** A GPU's history during the run, oldest change first, and where it ended up. */
public record GpuRecord(String gpuId, String nodeId, String finalStatus, List<GpuChange> changes) {
  public GpuRecord {
    Objects.requireNonNull(gpuId, "gpuId");
    nodeId = nodeId == null ? "" : nodeId;
    finalStatus = finalStatus == null ? "" : finalStatus;
    changes = changes == null ? List.of() : List.copyOf(changes);
  }
}
