package io.baton.workers.host;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;

/**
 * Stable NVIDIA identities for simulated GPUs, so the kernel-log path (inventory, PCI bus id, GPU)
 * runs unchanged in dev and tests. Derived from ids rather than drawn, so a restarted node keeps them.
 */
public final class SimulatedGpus {
  private SimulatedGpus() {}

  public static String uuid(String gpuId) {
    return "GPU-" + UUID.nameUUIDFromBytes(("baton-simulated:" + gpuId).getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The {@code ordinal}-th GPU of the node. The PCI domain comes from the node id: the nodes of
   * {@code baton cluster up --kernel-log FILE} follow one file, and each must claim only its own lines.
   */
  public static String pciBusId(String nodeId, int ordinal) {
    return String.format("%04x:%02x:00", nodeId.hashCode() & 0xffff, (ordinal + 1) & 0xff);
  }

  /** What nvidia-smi would answer for these GPUs, in its own spelling of bus ids. */
  public static String inventoryCsv(String nodeId, List<GpuInventory.Local> gpus) {
    StringBuilder csv = new StringBuilder();
    for (int i = 0; i < gpus.size(); i++) {
      String[] pci = pciBusId(nodeId, i).split(":");
      csv.append(gpus.get(i).gpuIndex()).append(", ").append(gpus.get(i).uuid()).append(", ")
          .append(String.format("0000%s:%s:%s.0", pci[0], pci[1], pci[2]).toUpperCase()).append('\n');
    }
    return csv.toString();
  }
}
