package io.baton.workers.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The kernel log's Xid lines in every spelling a source delivers them, nvidia-smi's inventory, and PCI ids. */
class XidLineTest {
  private static final String BODY =
      "NVRM: Xid (PCI:0000:3b:00): 79, pid=1234, name=python3, GPU has fallen off the bus.";

  private static XidLine found(String line) {
    return assertInstanceOf(XidLine.Found.class, XidLine.parse(line), line).xid();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "4,1234,567890123,-;", "Dec 06 10:00:00 gpu-host-7 kernel: ", "[12345.678901] ",
      "Dec 06 10:00:00 gpu-host-7 kernel: [12345.678901] "})
  void everySourcesPrefixYieldsTheSameXid(String prefix) {
    assertEquals(new XidLine("0000:3b:00", 79, 1234, "python3", "GPU has fallen off the bus."), found(prefix + BODY));
  }

  @Test
  void theOlderFormWithoutPciOrProcessAndAnUnknownPid() {
    assertEquals(new XidLine("0000:3b:00", 13, null, null, "Graphics SM Warp Exception on (GPC 0, TPC 0)"),
        found("[ 5.1] NVRM: Xid (0000:3b:00): 13, Graphics SM Warp Exception on (GPC 0, TPC 0)"));
    XidLine unknown =
        found("NVRM: Xid (PCI:0000:b3:00): 48, pid='<unknown>', name=<unknown>, An uncorrectable ECC error");
    assertEquals(new XidLine("0000:b3:00", 48, null, null, "An uncorrectable ECC error"), unknown);
    assertTrue(unknown.describe().contains("PCI 0000:b3:00"), unknown.describe());
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "random kernel noise", "NVRM: GPU at PCI:0000:3b:00: GPU-8f6c0e7a",
      "NVRM: loading NVIDIA UNIX x86_64 Kernel Module", "usb 1-1: Xid is not NVRM"})
  void otherLinesAreIgnored(String line) {
    assertInstanceOf(XidLine.Ignored.class, XidLine.parse(line));
  }

  @Test
  void brokenXidLinesAreUnparsedByKind() {
    Map<String, String> cases = Map.of(
        "NVRM: Xid 79 GPU has fallen off the bus", "shape",
        "NVRM: Xid (PCI:zz:qq): 79, GPU has fallen off the bus", "pci-bus-id",
        "NVRM: Xid (PCI:0000:3b:00): seventy-nine, GPU has fallen off the bus", "code",
        "NVRM: Xid (PCI:0000:3b:00): 7999999, cut", "code");
    cases.forEach((line, kind) ->
        assertEquals(kind, assertInstanceOf(XidLine.Unparsed.class, XidLine.parse(line), line).kind(), line));
  }

  @Test
  void nvidiaSmiAndKernelSpellingsOfABusIdNormalizeAlike() {
    for (String raw : List.of("00000000:3B:00.0", "0000:3b:00", "PCI:0000:3b:00", "3b:00", "0000:3B:00.0")) {
      assertEquals(Optional.of("0000:3b:00"), PciBusId.normalize(raw), raw);
    }
    assertEquals(Optional.of("0001:81:1f"), PciBusId.normalize("00000001:81:1F.0"));
    assertEquals(Optional.empty(), PciBusId.normalize("GPU-8f6c"));
    assertEquals(Optional.empty(), PciBusId.normalize("0000:3b:00.9"));
  }

  @Test
  void inventoryCsvParsesAndMapsByUuidThenByUnambiguousIndex() {
    List<GpuInventory.Gpu> gpus =
        GpuInventory.parse("0, GPU-aaaa, 00000000:3B:00.0\n\n1, GPU-bbbb, 00000000:5E:00.0\n");
    assertEquals(List.of(new GpuInventory.Gpu(0, "GPU-aaaa", "0000:3b:00"),
        new GpuInventory.Gpu(1, "GPU-bbbb", "0000:5e:00")), gpus);
    assertThrows(IllegalArgumentException.class, () -> GpuInventory.parse("0, GPU-aaaa\n"));
    assertThrows(IllegalArgumentException.class, () -> GpuInventory.parse("No devices were found\n"));

    GpuInventory.Mapping byUuid = new GpuInventory.Mapping(List.of(new GpuInventory.Local("h0-gpu0", 0, "GPU-bbbb"),
        new GpuInventory.Local("h1-gpu0", 0, "GPU-aaaa")), Map.of()).with(gpus);
    assertEquals(Optional.of("h1-gpu0"), byUuid.gpuId("0000:3b:00"), "UUID wins where indexes repeat");
    assertEquals("0000:5e:00", byUuid.identities().get("h0-gpu0").pciBusId());
    GpuInventory.Mapping byIndex = new GpuInventory.Mapping(List.of(new GpuInventory.Local("n-gpu1", 1, null)),
        Map.of()).with(gpus);
    assertEquals(Optional.of("n-gpu1"), byIndex.gpuId("0000:5e:00"));
    assertEquals(Optional.empty(), byIndex.gpuId("0000:3b:00"), "no GPU of the agent has index 0");
    assertEquals(Optional.empty(), byIndex.gpuId("0000:99:00"), "not in the inventory");
  }

  @Test
  void simulatedInventoryGoesThroughTheSameParser() {
    List<GpuInventory.Local> locals = List.of(
        new GpuInventory.Local("n-host0-gpu0", 0, SimulatedGpus.uuid("n-host0-gpu0")),
        new GpuInventory.Local("n-host1-gpu0", 0, SimulatedGpus.uuid("n-host1-gpu0")));
    GpuInventory.Mapping m = new GpuInventory.Mapping(locals, Map.of())
        .with(GpuInventory.parse(SimulatedGpus.inventoryCsv("n", locals)));
    assertEquals(Optional.of("n-host1-gpu0"), m.gpuId(SimulatedGpus.pciBusId("n", 1)));
  }

  @Test
  void kmsgSkipsRecordsFromBeforeTheStartThenFollowsSequenceNumbers() {
    KmsgSource kmsg = new KmsgSource().startingAt(5_000_000);
    assertEquals(List.of(false, true, false, true, true), List.of(kmsg.isNews("4,10,4999999,-;" + BODY),
        kmsg.isNews("4,11,5000001,-;" + BODY), kmsg.isNews("4,11,5000001,-;again after a reopen"),
        kmsg.isNews("6,12,5000001,-;same microsecond, next record"), kmsg.isNews("no header")));
  }
}
