package io.baton.workers.host;

import io.baton.actors.Printable;
import io.baton.workers.agent.GpuIdentity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The host's GPUs as {@code nvidia-smi --query-gpu=index,uuid,pci.bus_id --format=csv,noheader}
 * lists them, and which of this node's GPUs each one is: a kernel Xid line names only a PCI bus id.
 * The simulated fleet answers the same CSV text ({@link SimulatedGpus}), so dev and tests map XIDs
 * through this same parser.
 */
public final class GpuInventory {
  /** The inventory command that makes the simulated fleet answer in nvidia-smi's place. */
  public static final String SIMULATED = "simulated";

  /** One line of nvidia-smi's answer; the bus id normalized ({@link PciBusId}). */
  public record Gpu(int index, String uuid, String pciBusId) {}

  /**
   * One of this node's GPUs as its agent drives it.
   *
   * @param gpuIndex its index on its host, as nvidia-smi numbers it
   * @param uuid its NVIDIA UUID when known (always for a simulated GPU), else null
   */
  public record Local(String gpuId, int gpuIndex, String uuid) {}

  private final String command;
  private final Duration timeout;
  private final String simulatedCsv;

  /** @param simulatedCsv what the {@value #SIMULATED} command answers */
  public GpuInventory(String command, Duration timeout, String simulatedCsv) {
    this.command = command;
    this.timeout = timeout;
    this.simulatedCsv = simulatedCsv;
  }

  /**
   * Runs the command and parses its answer. It blocks for up to the timeout, so never call it on an
   * actor's thread. Output goes to files, not pipes: a child that filled a pipe nobody reads while
   * we wait for it would hang until the timeout.
   */
  public List<Gpu> query() throws IOException, InterruptedException {
    if (command.equals(SIMULATED)) {
      return parse(simulatedCsv);
    }
    Path out = Files.createTempFile("baton-inventory", ".out");
    Path err = Files.createTempFile("baton-inventory", ".err");
    try {
      Process p = new ProcessBuilder("/bin/sh", "-c", command)
          .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        throw new IOException("`" + command + "` did not answer within " + timeout.toMillis() + " ms");
      }
      if (p.exitValue() != 0) {
        throw new IOException("`" + command + "` exited with status " + p.exitValue() + ": "
            + Printable.of(Files.readString(err).strip()));
      }
      return parse(Files.readString(out));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  /** Parses {@code 0, GPU-8f6c..., 00000000:3B:00.0} lines; a line of another shape fails the whole answer. */
  public static List<Gpu> parse(String csv) {
    List<Gpu> gpus = new ArrayList<>();
    for (String line : csv.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      String[] f = line.split(",");
      Optional<String> pci = f.length == 3 ? PciBusId.normalize(f[2]) : Optional.empty();
      if (pci.isEmpty() || !f[0].strip().matches("\\d{1,4}") || f[1].isBlank()) {
        throw new IllegalArgumentException("inventory line '" + Printable.of(line) + "' is not 'index, uuid,"
            + " pci.bus_id' (nvidia-smi --query-gpu=index,uuid,pci.bus_id --format=csv,noheader)");
      }
      gpus.add(new Gpu(Integer.parseInt(f[0].strip()), f[1].strip(), pci.get()));
    }
    return List.copyOf(gpus);
  }

  /**
   * The last inventory, and this node's GPUs it is matched against. A GPU is matched by UUID where
   * the node knows its GPUs' UUIDs (the simulated fleet puts several hosts on one node, so indexes
   * repeat there); otherwise by index, among GPUs without a UUID, and only when exactly one has it.
   */
  public record Mapping(List<Local> locals, Map<String, Gpu> byPci) {
    public Mapping {
      locals = List.copyOf(locals);
      byPci = Map.copyOf(byPci);
    }

    public Mapping with(List<Gpu> gpus) {
      return new Mapping(locals, gpus.stream().collect(Collectors.toMap(Gpu::pciBusId, g -> g, (a, b) -> a)));
    }

    /** The agent's id of the GPU at this bus id, or empty when the inventory or the agent has no such GPU. */
    public Optional<String> gpuId(String pciBusId) {
      Gpu gpu = byPci.get(pciBusId);
      if (gpu == null) {
        return Optional.empty();
      }
      Optional<Local> byUuid = locals.stream().filter(l -> gpu.uuid().equalsIgnoreCase(l.uuid())).findFirst();
      List<Local> byIndex = locals.stream().filter(l -> l.uuid() == null && l.gpuIndex() == gpu.index()).toList();
      return byUuid.or(() -> byIndex.size() == 1 ? Optional.of(byIndex.get(0)) : Optional.empty()).map(Local::gpuId);
    }

    /** Each mapped GPU's bus id and UUID, by the agent's GPU id. */
    public Map<String, GpuIdentity> identities() {
      Map<String, GpuIdentity> out = new HashMap<>();
      for (Gpu g : byPci.values()) {
        gpuId(g.pciBusId()).ifPresent(id -> out.put(id, new GpuIdentity(g.pciBusId(), g.uuid())));
      }
      return Map.copyOf(out);
    }
  }
}
