package io.baton.ops.manifests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The systemd units: how they start, stop and restart Baton, and what the XID watcher may read. */
class SystemdUnitsTest {

  /** "Section.Key" to its values (a key may repeat), comments and continuations handled. */
  static Map<String, List<String>> unit(Path file) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    String section = "";
    for (String line : OpsFiles.read(file).replace("\\\n", " ").split("\n")) {
      String l = line.strip();
      if (l.isEmpty() || l.startsWith("#") || l.startsWith(";")) {
        continue;
      }
      if (l.startsWith("[")) {
        section = l.substring(1, l.indexOf(']'));
      } else {
        int eq = l.indexOf('=');
        out.computeIfAbsent(section + "." + l.substring(0, eq), k -> new ArrayList<>()).add(l.substring(eq + 1));
      }
    }
    return out;
  }

  private static Map<String, String> envFile(Path file) {
    Map<String, String> env = new LinkedHashMap<>();
    for (String line : OpsFiles.read(file).split("\n")) {
      if (!line.isBlank() && !line.strip().startsWith("#")) {
        env.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
      }
    }
    return env;
  }

  @Test
  void theNodeUnitRunsBatonStopsOnSigtermAndRestartsAfterADowning() {
    Map<String, List<String>> node = unit(OpsFiles.SYSTEMD.resolve("baton-node.service"));
    assertEquals(List.of("/opt/baton/bin/baton node"), node.get("Service.ExecStart"));
    assertEquals(List.of("/etc/baton/baton.env"), node.get("Service.EnvironmentFile"));
    assertEquals(List.of("SIGTERM"), node.get("Service.KillSignal"));
    assertEquals(List.of("143"), node.get("Service.SuccessExitStatus"), "a JVM ended by SIGTERM exits 143");
    // A downed node exits 3 and must restart to rejoin; a clean stop must not restart.
    assertEquals(List.of("on-failure"), node.get("Service.Restart"));
    assertTrue(node.containsKey("Service.LimitNOFILE") && node.containsKey("Service.MemoryMax"));
  }

  @Test
  void theKernelLogSourceInTheEnvFileIsReadableUnderTheUnit() {
    Map<String, List<String>> node = unit(OpsFiles.SYSTEMD.resolve("baton-node.service"));
    Map<String, String> env = envFile(OpsFiles.SYSTEMD.resolve("baton.env"));
    String source = env.get("BATON_KERNEL_LOG");
    List<String> caps = node.getOrDefault("Service.AmbientCapabilities", List.of());
    List<String> groups = node.getOrDefault("Service.SupplementaryGroups", List.of());
    if (source.equals("kmsg")) {
      assertEquals(List.of("CAP_SYSLOG"), caps, "/dev/kmsg needs CAP_SYSLOG where kernel.dmesg_restrict=1");
      assertEquals(List.of("CAP_SYSLOG"), node.get("Service.CapabilityBoundingSet"));
    } else if (source.startsWith("file:")) {
      assertTrue(groups.stream().anyMatch(g -> g.contains("adm")), "kern.log is group adm");
    } else {
      assertTrue(groups.stream().anyMatch(g -> g.contains("systemd-journal") || g.contains("adm")), "the journal");
    }
    // Either would hide /dev/kmsg (and PrivateDevices /dev/nvidia*) from the node.
    assertFalse(node.getOrDefault("Service.ProtectKernelLogs", List.of()).contains("yes"));
    assertFalse(node.getOrDefault("Service.PrivateDevices", List.of()).contains("yes"));
  }

  @Test
  void theEngineUnitPinsOneGpuPerInstance() {
    Map<String, List<String>> engine = unit(OpsFiles.SYSTEMD.resolve("baton-engine@.service"));
    assertTrue(engine.get("Service.Environment").contains("CUDA_VISIBLE_DEVICES=%i"));
    assertTrue(engine.get("Service.Environment").contains("CUDA_DEVICE_ORDER=PCI_BUS_ID"),
        "CUDA's index must be nvidia-smi's, which the XID watcher maps by");
    String exec = engine.get("Service.ExecStart").get(0);
    assertTrue(exec.contains("--host 127.0.0.1") && exec.contains("--port ${ENGINE_PORT}"), exec);
    assertEquals(List.of("on-failure"), engine.get("Service.Restart"));
  }
}
