package io.baton.ops.manifests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import io.baton.http.HttpSettings;
import io.baton.orchestrator.formation.ClusterFormation;
import io.baton.workers.WorkersSettings;
import io.baton.workers.engine.ServedModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every Baton container of every rendered overlay, with the configuration its node would load
 * (its ConfigMap files and its environment, {@link PodConfig}), parsed by Baton's own settings
 * classes: the cluster formation, the HTTP and management ports, Cassandra, the GPUs and models.
 * Then what the pod spec must agree on with that configuration: probes, ports, mounts.
 */
class BatonPodsTest {
  @TempDir
  Path scratch;

  /** One Baton container with its parsed configuration. */
  record Node(Rendered rendered, Rendered.Workload workload, JsonNode container, Map<String, String> env,
      Config config) {
    ClusterFormation formation() {
      return ClusterFormation.fromConfig(config);
    }

    String where() {
      return rendered.overlay() + " " + workload.kind() + " " + workload.name();
    }

    int port(String name) {
      for (JsonNode p : container.path("ports")) {
        if (p.path("name").asText().equals(name)) {
          return p.path("containerPort").asInt();
        }
      }
      throw new AssertionError(where() + " names no port " + name);
    }

    /** The mount that holds this absolute path, or null. */
    JsonNode mountOf(String path) {
      JsonNode best = null;
      for (JsonNode m : container.path("volumeMounts")) {
        String mp = m.path("mountPath").asText();
        if ((path.equals(mp) || path.startsWith(mp + "/"))
            && (best == null || mp.length() > best.path("mountPath").asText().length())) {
          best = m;
        }
      }
      return best;
    }
  }

  @BeforeEach
  void kubectl() {
    Kubectl.assumeAvailable();
  }

  static List<String> overlays() {
    return OpsFiles.OVERLAYS;
  }

  /** The Baton nodes (not the schema Job) of an overlay, their ConfigMap files laid out under {@code scratch}. */
  static List<Node> nodes(String overlay, Path scratch) throws IOException {
    Rendered r = RenderedOverlaysTest.rendered("overlays/" + overlay);
    List<Node> out = new ArrayList<>();
    for (Rendered.Workload w : r.workloads()) {
      for (JsonNode c : w.containers()) {
        if (Rendered.isBaton(c) && c.path("args").path(0).asText("node").equals("node")) {
          Map<String, String> env = r.environment(w, c);
          Config config = PodConfig.load(env, r.configMapFiles(w, c), Files.createTempDirectory(scratch, "pod"));
          out.add(new Node(r, w, c, env, config));
        }
      }
    }
    assertFalse(out.isEmpty(), overlay + " runs no Baton node");
    return out;
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void probesPortsAndStateMatchTheNodesConfiguration(String overlay) throws IOException {
    for (Node n : nodes(overlay, scratch)) {
      HttpSettings http = HttpSettings.fromConfig(n.config());
      assertEquals(http.managementPort(), n.port("management"), n.where());
      assertEquals(http.port(), n.port("http"), n.where());
      assertEquals(n.formation().port(), n.port("remoting"), n.where());
      Config health = n.config().getConfig("pekko.management");
      assertEquals("", health.getString("http.base-path"), n.where());
      String alive = "/" + health.getString("health-checks.liveness-path");
      String ready = "/" + health.getString("health-checks.readiness-path");
      probe(n, "startupProbe", alive);
      probe(n, "livenessProbe", alive);
      probe(n, "readinessProbe", ready);
      String stateDir = n.config().getString("baton.orchestrator.state-dir");
      JsonNode mount = n.mountOf(stateDir);
      assertTrue(mount != null, n.where() + ": state-dir " + stateDir + " is on no volume");
      JsonNode volume = n.rendered().volume(n.workload(), mount.path("name").asText());
      assertTrue(volume.has("spec") || volume.has("hostPath") || volume.has("persistentVolumeClaim"),
          n.where() + ": state-dir " + stateDir + " must be on a persistent volume, is on " + volume);
      for (ServedModel m : WorkersSettings.fromConfig(n.config()).models()) {
        assertTrue(n.mountOf(m.tokenizer().toString()) != null, n.where() + " serves the API for " + m.id()
            + " but mounts nothing at " + m.tokenizer());
      }
    }
  }

  private static void probe(Node n, String which, String path) {
    JsonNode get = n.container().path(which).path("httpGet");
    assertEquals(path, get.path("path").asText(), n.where() + " " + which);
    assertEquals("management", get.path("port").asText(), n.where() + " " + which + " must use the management port");
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void orchestratorsFormTheClusterFromTheirStatefulSetNames(String overlay) throws IOException {
    Rendered r = RenderedOverlaysTest.rendered("overlays/" + overlay);
    JsonNode sts = r.ofKind("StatefulSet").stream().filter(s -> s.path("metadata").path("name").asText().equals("baton"))
        .findFirst().orElseThrow();
    Node orchestrator = nodes(overlay, scratch).stream().filter(n -> n.workload().object() == sts).findFirst().orElseThrow();
    ClusterFormation f = orchestrator.formation();
    String service = sts.path("spec").path("serviceName").asText();
    String suffix = "." + service + "." + orchestrator.workload().namespace() + ".svc.cluster.local";
    int replicas = sts.path("spec").path("replicas").asInt();
    assertEquals("statefulset", f.mode());
    assertEquals("Parallel", sts.path("spec").path("podManagementPolicy").asText());
    assertEquals(replicas, f.seeds().size(), overlay + ": BATON_REPLICAS must equal spec.replicas");
    assertEquals("pekko://baton@baton-0" + suffix + ":" + f.port(), f.seeds().get(0));
    assertEquals("baton-0" + suffix, f.hostname());
    assertEquals("0.0.0.0", f.bindHostname());
    JsonNode headless = r.find("Service", service).orElseThrow(() -> new AssertionError("no Service " + service));
    assertEquals("None", headless.path("spec").path("clusterIP").asText());
    assertTrue(headless.path("spec").path("publishNotReadyAddresses").asBoolean(),
        "seeds must resolve before their pods are Ready");
    for (Node n : nodes(overlay, scratch)) {
      if (n.workload().kind().equals("DaemonSet")) {
        assertEquals("seed-list", n.formation().mode(), n.where());
        assertEquals(f.seeds(), n.formation().seeds(), n.where() + " must list the orchestrators as its seeds");
      }
    }
  }
}
