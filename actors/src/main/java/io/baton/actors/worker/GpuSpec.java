package io.baton.actors.worker;

import io.baton.actors.CborSerializable;
import java.util.Optional;

/**
 * What a GPU is and where it sits, as its worker agent registers it. These fields never change
 * for a given worker id: a GPU moved to another slot or model is a new worker.
 *
 * @param hostId the (possibly simulated) host whose GPUs a node-fatal XID takes down together
 * @param kvBlockCapacity how many KV cache blocks fit in the GPU's memory
 */
public record GpuSpec(String nodeId, String hostId, int gpuIndex, String model, int kvBlockCapacity)
    implements CborSerializable {

  /** Why this GPU cannot be registered, or empty when it can. */
  public Optional<String> invalidity() {
    if (nodeId == null || nodeId.isBlank()) {
      return Optional.of("nodeId is required");
    }
    if (hostId == null || hostId.isBlank()) {
      return Optional.of("hostId is required");
    }
    if (gpuIndex < 0) {
      return Optional.of("gpuIndex must be at least 0, was " + gpuIndex);
    }
    if (model == null || model.isBlank()) {
      return Optional.of("model is required");
    }
    if (kvBlockCapacity < 1) {
      return Optional.of("kvBlockCapacity must be at least 1, was " + kvBlockCapacity);
    }
    return Optional.empty();
  }
}
