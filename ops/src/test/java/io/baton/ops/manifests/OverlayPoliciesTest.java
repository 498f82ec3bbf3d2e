package io.baton.ops.manifests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import io.baton.persistence.PersistenceSettings;
import io.baton.workers.WorkersSettings;
import io.baton.workers.engine.remote.ConfiguredGpu;
import io.baton.workers.host.KernelLogSettings;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What each overlay promises (dev, production, gpu-workers), checked on its rendered objects. */
class OverlayPoliciesTest {
  @TempDir
  Path scratch;

  @BeforeEach
  void kubectl() {
    Kubectl.assumeAvailable();
  }

  private BatonPodsTest.Node node(String overlay, String kind) throws IOException {
    return BatonPodsTest.nodes(overlay, scratch).stream().filter(n -> n.workload().kind().equals(kind)).findFirst()
        .orElseThrow(() -> new AssertionError(overlay + " has no Baton " + kind));
  }

  @Test
  void devRunsOneToThreeNodesWithSimulatedGpusAndNoFaultInjection() throws IOException {
    BatonPodsTest.Node n = node("dev", "StatefulSet");
    int replicas = n.workload().object().path("spec").path("replicas").asInt();
    assertTrue(replicas >= 1 && replicas <= 3, "dev replicas " + replicas);
    List<String> args = new ArrayList<>();
    n.container().path("args").forEach(a -> args.add(a.asText()));
    assertFalse(args.contains("--chaos"), "baton node serves /admin/chaos only with --chaos: " + args);
    CodeContractTest.assertOptionsExist("dev's baton node", args, CodeContractTest.NODE_COMMAND);
    assertTrue(n.formation().roles().contains("worker"), "dev nodes simulate GPUs, so they need the worker role");
    assertTrue(WorkersSettings.fromConfig(n.config()).gpus().isEmpty(), "no baton.workers.gpus: the simulated fleet");
    PersistenceSettings p = PersistenceSettings.fromConfig(n.config());
    assertFalse(p.contactPoints().isEmpty(), "a node needs a Cassandra; the dev overlay runs one");
    RenderedOverlaysTest.rendered("overlays/dev").find("StatefulSet", "cassandra")
        .orElseThrow(() -> new AssertionError("dev runs its own Cassandra"));
  }

  @Test
  void productionUsesExternalCassandraTlsAndAnExplicitSchemaStep() throws IOException {
    for (String overlay : List.of("production", "gpu-workers")) {
      BatonPodsTest.Node n = node(overlay, "StatefulSet");
      assertEquals(3, n.workload().object().path("spec").path("replicas").asInt(), overlay);
      assertEquals(List.of("orchestrator"), n.formation().roles(), overlay);
      PersistenceSettings p = PersistenceSettings.fromConfig(n.config());
      assertFalse(p.contactPoints().isEmpty(), overlay + ": an external Cassandra");
      assertFalse(p.schemaAtStart(), overlay + ": nodes run no DDL; the Job applies the schema");
      Config tls = n.config().getConfig("baton.orchestrator.cluster.tls");
      assertTrue(tls.getBoolean("enabled"), overlay + ": node-to-node TLS");
      for (String store : List.of("key-store", "trust-store")) {
        JsonNode mount = n.mountOf(tls.getString(store));
        assertTrue(mount != null && mount.path("readOnly").asBoolean(), overlay + ": " + store + " mounted read-only");
      }
      Rendered r = n.rendered();
      JsonNode job = r.find("Job", "baton-schema-apply").orElseThrow();
      Rendered.Workload w = new Rendered.Workload(job);
      JsonNode c = w.containers().get(0);
      Map<String, String> env = r.environment(w, c);
      List<String> args = new ArrayList<>();
      c.path("args").forEach(a -> args.add(Rendered.expand(a.asText(), env)));
      assertEquals(List.of("schema", "apply"), args.subList(0, 2));
      assertEquals(String.join(",", p.contactPoints()), args.get(args.indexOf("--cassandra") + 1),
          overlay + ": the Job applies the schema where the nodes look for it");
      assertEquals(p.localDatacenter(), args.get(args.indexOf("--datacenter") + 1));
      assertTrue(args.get(args.indexOf("--replication") + 1).startsWith(p.localDatacenter() + ":"));
      CodeContractTest.assertOptionsExist("schema apply", args, CodeContractTest.SCHEMA_COMMAND);
    }
  }

  @Test
  void gpuWorkersServeEachConfiguredGpuFromItsOwnEngineContainer() throws IOException {
    BatonPodsTest.Node n = node("gpu-workers", "DaemonSet");
    WorkersSettings workers = WorkersSettings.fromConfig(n.config());
    List<ConfiguredGpu> gpus = workers.gpus();
    assertFalse(gpus.isEmpty());
    assertEquals(List.of("worker"), n.formation().roles());
    JsonNode limits = n.container().path("resources").path("limits");
    assertEquals(gpus.size(), limits.path("nvidia.com/gpu").asInt(),
        "the Baton container holds all of the host's GPUs, so nvidia-smi in it lists them all");
    for (ConfiguredGpu gpu : gpus) {
      assertEquals(n.env().get("BATON_NODE_ID"), gpu.host(), "GPU host id = the node id = the Kubernetes node");
      int port = URI.create(gpu.url()).getPort();
      JsonNode engine = n.workload().containers().stream().filter(c -> serves(c, gpu.index(), port)).findFirst()
          .orElseThrow(() -> new AssertionError("no container serves GPU " + gpu.index() + " on port " + port
              + " with NVIDIA_VISIBLE_DEVICES=" + gpu.index()));
      assertFalse(engine.path("resources").path("limits").has("nvidia.com/gpu"),
          "an engine container picks its GPU by index; a device plugin allocation would pick any");
    }
    KernelLogSettings.Source source = workers.kernelLog().source();
    assertTrue(source instanceof KernelLogSettings.File, "pods follow the host's kern.log: " + source);
    String log = ((KernelLogSettings.File) source).path().toString();
    JsonNode mount = n.mountOf(log);
    assertTrue(mount != null && mount.path("readOnly").asBoolean(), log + " must come from a read-only mount");
    JsonNode volume = n.rendered().volume(n.workload(), mount.path("name").asText());
    assertTrue(volume.has("hostPath"), "the host's log: " + volume);
    JsonNode pod = n.workload().podSpec();
    List<Integer> groups = new ArrayList<>();
    pod.path("securityContext").path("supplementalGroups").forEach(g -> groups.add(g.asInt()));
    assertTrue(groups.contains(4), "kern.log is group adm (4), mode 0640");
    assertTrue(pod.path("securityContext").path("runAsNonRoot").asBoolean());
    for (JsonNode c : n.workload().containers()) {
      assertFalse(c.path("securityContext").path("privileged").asBoolean(), c.path("name").asText());
      assertFalse(c.path("securityContext").path("capabilities").path("add").elements().hasNext(),
          c.path("name").asText() + " needs no capability");
    }
  }

  private static boolean serves(JsonNode container, int index, int port) {
    boolean device = false;
    for (JsonNode e : container.path("env")) {
      device |= e.path("name").asText().equals("NVIDIA_VISIBLE_DEVICES") && e.path("value").asText().equals("" + index);
    }
    List<String> args = new ArrayList<>();
    container.path("args").forEach(a -> args.add(a.asText()));
    int at = args.indexOf("--port");
    return device && at >= 0 && args.get(at + 1).equals("" + port)
        && args.contains("--host") && args.get(args.indexOf("--host") + 1).equals("127.0.0.1");
  }
}
