package io.baton.ops.manifests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import io.baton.workers.WorkersSettings;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The HOCON files of ops/k8s and ops/systemd set only keys the code has (a misspelt key would be
 * ignored silently), and Baton's own settings classes parse them.
 */
class ConfigFilesTest {
  /** Children of these are names the operator chooses; their keys are checked against the defaults entry. */
  private static final Map<String, String> NAMED_ENTRIES = Map.of("baton.tenants", "baton.tenants.defaults");

  static List<Path> configFiles() {
    return Stream.concat(OpsFiles.files(OpsFiles.K8S, ".conf").stream(), OpsFiles.files(OpsFiles.SYSTEMD, ".conf").stream())
        .toList();
  }

  @Test
  void everyKeySetExistsInTheCodesDefaults() {
    Config defaults = PodConfig.load(ConfigFactory.empty(), Map.of());
    List<String> unknown = new ArrayList<>();
    List<Path> files = configFiles();
    assertTrue(files.size() >= 5, "expected the k8s and systemd configs, found " + files);
    for (Path f : files) {
      Config parsed = ConfigFactory.parseFile(f.toFile(), ConfigParseOptions.defaults().setAllowMissing(false))
          .resolveWith(defaults);
      for (String key : leaves(parsed.root(), "")) {
        String checked = key;
        for (Map.Entry<String, String> named : NAMED_ENTRIES.entrySet()) {
          String prefix = named.getKey() + ".";
          if (key.startsWith(prefix) && key.indexOf('.', prefix.length()) > 0) {
            checked = named.getValue() + key.substring(key.indexOf('.', prefix.length()));
          }
        }
        if (!defaults.hasPathOrNull(checked)) {
          unknown.add(OpsFiles.relative(f) + ": " + key);
        }
      }
    }
    assertEquals(List.of(), unknown, "keys that no reference.conf or baton.conf defines");
  }

  private static List<String> leaves(ConfigObject object, String prefix) {
    List<String> out = new ArrayList<>();
    for (Map.Entry<String, ConfigValue> e : object.entrySet()) {
      String key = prefix + e.getKey();
      if (e.getValue().valueType() == ConfigValueType.OBJECT) {
        out.addAll(leaves((ConfigObject) e.getValue(), key + "."));
      } else {
        out.add(key);
      }
    }
    return out;
  }

  @Test
  void theHostsGpusAndModelsParseAndMatchTheEngineUnits() {
    Config host = PodConfig.load(ConfigFactory.parseFile(OpsFiles.SYSTEMD.resolve("application.conf").toFile()),
        Map.of("BATON_NODE_ID", "gpu-host-1"));
    WorkersSettings workers = WorkersSettings.fromConfig(host);
    assertFalse(workers.gpus().isEmpty());
    assertFalse(workers.models().isEmpty());
    String unit = OpsFiles.read(OpsFiles.SYSTEMD.resolve("baton-engine@.service"));
    assertTrue(unit.contains("Environment=ENGINE_PORT=800%i"), "baton-engine@<i> listens on 800<i>");
    assertTrue(unit.contains("Environment=CUDA_VISIBLE_DEVICES=%i"));
    workers.gpus().forEach(g -> assertEquals(8000 + g.index(), URI.create(g.url()).getPort(),
        "GPU " + g.index() + " is served by baton-engine@" + g.index()));
    String reset = host.getString("baton.workers.engine.remote.reset-commands.vllm");
    assertEquals("systemctl restart baton-engine@{index}", reset);
  }

  @Test
  void theGpuWorkersConfigParsesWithTheBaseIncluded() {
    // worker.conf includes application.conf from the same ConfigMap: laid out as the pod sees them.
    Config base = ConfigFactory.parseFile(OpsFiles.K8S.resolve("base/config/application.conf").toFile());
    Config worker = ConfigFactory.parseFile(OpsFiles.overlay("gpu-workers").resolve("config/worker.conf").toFile())
        .withFallback(ConfigFactory.parseFile(OpsFiles.overlay("gpu-workers").resolve("config/models.conf").toFile()))
        .withFallback(base);
    Config pod = PodConfig.load(worker, Map.of("BATON_NODE_ID", "gpu-node-7"));
    WorkersSettings workers = WorkersSettings.fromConfig(pod);
    assertEquals(2, workers.gpus().size());
    workers.gpus().forEach(g -> assertEquals("gpu-node-7", g.host(), "host = the node id = the Kubernetes node"));
    assertEquals("LOCAL_QUORUM",
        pod.getString("datastax-java-driver.profiles.pekko-persistence-cassandra-profile.basic.request.consistency"));
  }
}
