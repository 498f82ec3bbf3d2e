package io.baton.orchestrator.fleet;

import static io.baton.orchestrator.fleet.FleetFixture.TIMEOUT;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.baton.actors.session.Attempt;
import io.baton.actors.session.FailureCause;
import io.baton.actors.session.SessionSpec;
import io.baton.actors.session.SessionState;
import io.baton.actors.worker.GpuStatus;
import io.baton.actors.worker.GpuWorkerState;
import io.baton.orchestrator.FleetBootstrap;
import io.baton.orchestrator.TestNodes;
import io.baton.persistence.testing.CassandraTestExtension;
import io.baton.workers.agent.XidSignal;
import io.baton.workers.host.SimulatedGpus;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * XIDs from the kernel log, end to end on a real node and Cassandra: the node follows a file, and
 * maps bus ids to GPUs through an {@code nvidia-smi} that is a script on the PATH, exactly as on a
 * real host. A 79 line takes its GPU (and host) out with reason and class while the session resumes
 * elsewhere; a 13 line moves the session but keeps the GPU.
 */
@ExtendWith(CassandraTestExtension.class)
class KernelLogXidIT {
  @TempDir
  Path dir;
  private final Map<String, String> busOf = new LinkedHashMap<>();

  /** A node whose kernel log is {@code dir/kern.log} and whose nvidia-smi lists its GPUs at buses 3b, 3c, 5e, 5f. */
  private FleetFixture start(String name) throws Exception {
    String nodeId = TestNodes.nodeId(name);
    StringBuilder csv = new StringBuilder();
    List<String> buses = List.of("3B", "3C", "5E", "5F");
    for (int i = 0; i < buses.size(); i++) {
      String gpu = FleetBootstrap.workerId(FleetBootstrap.hostId(nodeId, i / 2), i % 2);
      busOf.put(gpu, "0000:" + buses.get(i).toLowerCase() + ":00");
      csv.append(i % 2).append(", ").append(SimulatedGpus.uuid(gpu)).append(", 00000000:").append(buses.get(i))
          .append(":00.0\n");
    }
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Path smi = bin.resolve("nvidia-smi");
    Files.writeString(smi, "#!/bin/sh\n[ \"$1\" = --query-gpu=index,uuid,pci.bus_id ] || exit 2\ncat <<'CSV'\n" + csv
        + "CSV\n");
    Files.setPosixFilePermissions(smi, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.writeString(dir.resolve("kern.log"), "");
    FleetFixture f = FleetFixture.startAs(nodeId, Map.of(
        "baton.workers.kernel-log.source", "file:" + dir.resolve("kern.log"),
        "baton.workers.kernel-log.inventory-command",
        "PATH=" + bin + ":$PATH nvidia-smi --query-gpu=index,uuid,pci.bus_id --format=csv,noheader"));
    // Only lines appended once the watcher follows are news; and the bus ids must come from the script.
    await().atMost(TIMEOUT).until(() -> f.agentStatus().gpus().stream().allMatch(g -> g.identity() != null
        && g.identity().pciBusId().equals(busOf.get(g.gpuId())) && g.xidSignal().state() == XidSignal.State.LIVE));
    return f;
  }

  private String streamingOnItsGpu(FleetFixture f, SessionSpec spec) throws Exception {
    String id = f.submit(spec);
    f.awaitSession(id, s -> s.tokenCount() >= 10);
    return id;
  }

  private void kernelLogs(String line) throws Exception {
    Files.writeString(dir.resolve("kern.log"), "Dec 06 10:00:00 gpu-host kernel: " + line + "\n",
        StandardOpenOption.APPEND);
  }


  @Test
  void anXid79LineTakesItsGpuOutWithReasonAndClassAndTheSessionResumesElsewhere() throws Exception {
    try (FleetFixture f = start("klog-79")) {
      SessionSpec spec = FleetFixture.spec(FleetFixture.prompt(40, 21), 150, 31);
      String id = streamingOnItsGpu(f, spec);
      String gpu = f.state(id).currentAttempt().workerId();
      kernelLogs("NVRM: Xid (PCI:" + busOf.get(gpu) + "): 79, pid=1234, name=python3, GPU has fallen off the bus.");
      SessionState done = f.awaitCompletedExactly(id, spec);
      Attempt first = done.attempts().get(0);
      assertEquals(List.of(FailureCause.Kind.XID, 79), List.of(first.failure().kind(), first.failure().xidCode()));
      assertNotEquals(gpu, done.attempts().get(done.attempts().size() - 1).workerId());
      await().atMost(TIMEOUT).until(() -> f.gpuState(gpu).status() == GpuStatus.CORDONED);
      GpuWorkerState g = f.gpuState(gpu);
      assertEquals(List.of(79, "node-fatal"), List.of(g.lastXid().code(), g.lastXid().xidClass().id()));
      assertTrue(g.lastChange().reason().contains("XID 79 (node-fatal): GPU has fallen off the bus."),
          g.lastChange().reason());
      // What an operator sees: the GPU's identity from nvidia-smi and a live XID signal.
      HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create(f.node.httpAddress() + "/admin/workers/" + gpu)).build(), HttpResponse.BodyHandlers.ofString());
      JsonNode row = new ObjectMapper().readTree(r.body());
      assertEquals(List.of(busOf.get(gpu), SimulatedGpus.uuid(gpu), "live"), List.of(row.path("pci_bus_id").asText(),
          row.path("uuid").asText(), row.path("xid_signal").path("state").asText()), r.body());
    }
  }

  @Test
  void anXid13LineMovesTheSessionButKeepsTheGpu() throws Exception {
    try (FleetFixture f = start("klog-13")) {
      SessionSpec spec = FleetFixture.spec(FleetFixture.prompt(40, 22), 150, 32);
      String id = streamingOnItsGpu(f, spec);
      String gpu = f.state(id).currentAttempt().workerId();
      kernelLogs("NVRM: Xid (PCI:" + busOf.get(gpu) + "): 13, pid='<unknown>', name=<unknown>, Graphics Exception");
      await().atMost(TIMEOUT).until(() -> f.gpuState(gpu).lastXid() != null);
      SessionState done = f.awaitCompletedExactly(id, spec);
      assertTrue(done.attempts().size() >= 2, "the app fault ended the GPU's contexts: " + done.attempts());
      GpuWorkerState g = f.gpuState(gpu);
      assertEquals(List.of(13, "app-fault"), List.of(g.lastXid().code(), g.lastXid().xidClass().id()));
      assertEquals(GpuStatus.ACTIVE, g.status(), "an app fault keeps the GPU in service");
    }
  }
}
