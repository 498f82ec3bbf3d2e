package io.baton.ops.manifests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each overlay as {@code kubectl kustomize} renders it (patches applied, generated names linked):
 * every object against the Kubernetes schema, and every reference between objects resolved.
 */
class RenderedOverlaysTest {
  /** Secrets an operator creates by hand (production/secrets.example.yaml), not rendered there. */
  static final Set<String> HAND_MADE_SECRETS = Set.of("baton-secrets", "baton-tls");
  private static final Map<String, Rendered> CACHE = new HashMap<>();

  @BeforeEach
  void kubectl() {
    Kubectl.assumeAvailable();
  }

  static Rendered rendered(String overlay) {
    synchronized (CACHE) {
      return CACHE.computeIfAbsent(overlay, o -> new Rendered(o, Kubectl.render(OpsFiles.K8S.resolve(o))));
    }
  }

  static Stream<String> renderable() {
    return Stream.concat(OpsFiles.OVERLAYS.stream().map(o -> "overlays/" + o), Stream.of("examples/cassandra"));
  }

  @ParameterizedTest
  @MethodSource("renderable")
  void everyRenderedObjectMatchesTheKubernetesSchema(String dir) {
    Rendered r = rendered(dir);
    assertFalse(r.docs().isEmpty(), dir + " rendered nothing");
    List<String> problems = new ArrayList<>();
    r.docs().forEach(d -> problems.addAll(KubernetesSchema.problems(d)));
    assertEquals(List.of(), problems, dir);
  }

  @ParameterizedTest
  @MethodSource("renderable")
  void everyReferenceResolves(String dir) {
    Rendered r = rendered(dir);
    boolean handMadeSecrets = dir.endsWith("production") || dir.endsWith("gpu-workers");
    Map<String, Set<String>> exampleKeys = secretExampleKeys();
    List<String> broken = new ArrayList<>();
    for (Rendered.Workload w : r.workloads()) {
      String sa = w.podSpec().path("serviceAccountName").asText("");
      if (!sa.isEmpty() && r.find("ServiceAccount", sa).isEmpty()) {
        broken.add(w.name() + ": ServiceAccount " + sa);
      }
      for (JsonNode v : w.podSpec().path("volumes")) {
        ref(r, broken, w, "ConfigMap", v.path("configMap").path("name").asText(""));
        secret(r, broken, w, v.path("secret").path("secretName").asText(""), null, handMadeSecrets, exampleKeys);
        v.path("secret").path("items").forEach(i -> secret(r, broken, w, v.path("secret").path("secretName").asText(),
            i.path("key").asText(), handMadeSecrets, exampleKeys));
        ref(r, broken, w, "PersistentVolumeClaim", v.path("persistentVolumeClaim").path("claimName").asText(""));
      }
      for (JsonNode c : w.containers()) {
        c.path("envFrom").forEach(f -> ref(r, broken, w, "ConfigMap", f.path("configMapRef").path("name").asText("")));
        for (JsonNode e : c.path("env")) {
          JsonNode s = e.path("valueFrom").path("secretKeyRef");
          secret(r, broken, w, s.path("name").asText(""), s.path("key").asText(), handMadeSecrets, exampleKeys);
        }
        for (JsonNode m : c.path("volumeMounts")) {
          r.volume(w, m.path("name").asText());
        }
      }
    }
    assertEquals(List.of(), broken, dir + ": references to objects or keys that are not there");
  }

  @ParameterizedTest
  @MethodSource("renderable")
  void servicesSelectPodsThatHaveTheirPorts(String dir) {
    Rendered r = rendered(dir);
    for (JsonNode svc : r.ofKind("Service")) {
      List<Rendered.Workload> selected = r.workloads().stream().filter(w -> selects(svc.path("spec").path("selector"),
          w.object().path("spec").path("template").path("metadata").path("labels"))).toList();
      assertFalse(selected.isEmpty(), dir + ": Service " + Yaml.id(svc) + " selects no pods");
      for (JsonNode port : svc.path("spec").path("ports")) {
        String target = port.path("targetPort").asText();
        for (Rendered.Workload w : selected) {
          Set<String> names = new HashSet<>();
          w.containers().forEach(c -> c.path("ports").forEach(p -> names.add(p.path("name").asText())));
          assertTrue(names.contains(target), dir + ": " + Yaml.id(svc) + " targets port " + target + ", which "
              + w.name() + " does not name (" + names + ")");
        }
      }
    }
    for (JsonNode pdb : r.ofKind("PodDisruptionBudget")) {
      assertTrue(r.workloads().stream().anyMatch(w -> selects(pdb.path("spec").path("selector").path("matchLabels"),
          w.object().path("spec").path("template").path("metadata").path("labels"))), dir + ": " + Yaml.id(pdb));
    }
  }

  static boolean selects(JsonNode selector, JsonNode labels) {
    if (selector.isEmpty()) {
      return false;
    }
    for (var it = selector.fields(); it.hasNext(); ) {
      var e = it.next();
      if (!labels.path(e.getKey()).asText().equals(e.getValue().asText())) {
        return false;
      }
    }
    return true;
  }

  private static void ref(Rendered r, List<String> broken, Rendered.Workload w, String kind, String name) {
    if (!name.isEmpty() && r.find(kind, name).isEmpty()) {
      broken.add(w.name() + ": " + kind + " " + name);
    }
  }

  private static void secret(Rendered r, List<String> broken, Rendered.Workload w, String name, String key,
      boolean handMade, Map<String, Set<String>> exampleKeys) {
    if (name.isEmpty()) {
      return;
    }
    var rendered = r.find("Secret", name);
    if (rendered.isPresent()) {
      boolean has = key == null || rendered.get().path("data").has(key) || rendered.get().path("stringData").has(key);
      if (!has) {
        broken.add(w.name() + ": key " + key + " of Secret " + name);
      }
    } else if (!handMade || !HAND_MADE_SECRETS.contains(name)) {
      broken.add(w.name() + ": Secret " + name);
    } else if (key != null && !exampleKeys.getOrDefault(name, Set.of()).contains(key)) {
      broken.add(w.name() + ": key " + key + " of Secret " + name + " is missing from secrets.example.yaml");
    }
  }

  /** The keys production/secrets.example.yaml tells operators to create, by Secret. */
  static Map<String, Set<String>> secretExampleKeys() {
    Map<String, Set<String>> out = new HashMap<>();
    Path example = OpsFiles.overlay("production").resolve("secrets.example.yaml");
    for (JsonNode s : Yaml.documents(example)) {
      Set<String> keys = out.computeIfAbsent(s.path("metadata").path("name").asText(), k -> new HashSet<>());
      s.path("data").fieldNames().forEachRemaining(keys::add);
      s.path("stringData").fieldNames().forEachRemaining(keys::add);
    }
    return out;
  }
}
