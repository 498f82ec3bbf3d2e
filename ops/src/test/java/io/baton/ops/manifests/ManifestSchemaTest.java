package io.baton.ops.manifests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Every whole manifest under ops/k8s, as written (no kubectl needed), against the Kubernetes API's
 * schema; patches are checked once rendered ({@link RenderedOverlaysTest}).
 */
class ManifestSchemaTest {

  /** Resource files of every kustomization, plus the *.example.yaml files that are applied by hand. */
  static List<Path> wholeManifests() {
    Set<Path> out = new HashSet<>();
    Kustomization.all().forEach(k -> out.addAll(k.resourceFiles()));
    OpsFiles.files(OpsFiles.K8S, ".example.yaml").forEach(out::add);
    return out.stream().sorted().toList();
  }

  @Test
  void everyYamlFileIsAKustomizationAResourceOrAPatch() {
    Set<Path> known = new HashSet<>(wholeManifests());
    List<String> missing = new ArrayList<>();
    for (Kustomization k : Kustomization.all()) {
      known.add(k.file());
      known.addAll(k.patchFiles());
      for (Path p : concat(k.resourceFiles(), k.patchFiles(), k.generatorFiles())) {
        if (!Files.isRegularFile(p)) {
          missing.add(OpsFiles.relative(k.file()) + " names " + OpsFiles.relative(p) + ", which does not exist");
        }
      }
      k.resourceDirs().stream().filter(d -> !Files.isRegularFile(d.resolve("kustomization.yaml")))
          .forEach(d -> missing.add(OpsFiles.relative(k.file()) + " names " + d + ", which has no kustomization.yaml"));
    }
    assertEquals(List.of(), missing);
    List<String> stray = OpsFiles.files(OpsFiles.K8S, ".yaml", ".yml").stream().filter(p -> !known.contains(p))
        .map(OpsFiles::relative).toList();
    assertEquals(List.of(), stray, "YAML files no kustomization names: add them to one, or name them *.example.yaml");
  }

  @Test
  void everyWholeManifestMatchesTheKubernetesSchema() {
    List<String> problems = new ArrayList<>();
    int objects = 0;
    for (Path file : wholeManifests()) {
      for (JsonNode doc : Yaml.documents(file)) {
        objects++;
        KubernetesSchema.problems(doc).forEach(p -> problems.add(OpsFiles.relative(file) + ": " + p));
      }
    }
    assertEquals(List.of(), problems);
    assertTrue(objects >= 12, "expected the base, overlay and example objects, found " + objects);
  }

  /** The check itself: each of these is something the API server refuses. */
  @Test
  void theSchemaCheckRefusesWhatTheApiServerWould() {
    JsonNode good = Yaml.documents(OpsFiles.K8S.resolve("base/statefulset.yaml")).get(0);
    assertEquals(List.of(), KubernetesSchema.problems(good));
    refused(good, s -> container(s).put("imagePullPolicyy", "Always"), "imagePullPolicyy");
    refused(good, s -> ((ObjectNode) s.path("spec")).remove("selector"), "selector");
    refused(good, s -> ((ObjectNode) s.path("spec")).put("replicas", "three"), "NumberFormatException");
    refused(good, s -> container(s).withArray("env").addObject().put("name", "BATON_REPLICAS").put("value", 3),
        "must be a string");
    refused(good, s -> container(s).putObject("resources").putObject("limits").put("memory", "4 gigs"), "quantity");
    refused(good, s -> container(s).putObject("env").put("BATON_ROLES", "worker"), "JsonArray");
    refused(good, s -> ((ObjectNode) s).put("kind", "StatefulSett"), "no schema");
  }

  private static ObjectNode container(ObjectNode statefulSet) {
    return (ObjectNode) statefulSet.path("spec").path("template").path("spec").path("containers").get(0);
  }

  private static void refused(JsonNode good, Consumer<ObjectNode> change, String expected) {
    ObjectNode bad = good.deepCopy();
    change.accept(bad);
    List<String> problems = KubernetesSchema.problems(bad);
    assertFalse(problems.isEmpty(), "accepted a manifest the API server refuses (" + expected + ")");
    assertTrue(problems.stream().anyMatch(p -> p.contains(expected)), "expected " + expected + " in " + problems);
  }

  @SafeVarargs
  private static List<Path> concat(List<Path>... lists) {
    List<Path> out = new ArrayList<>();
    for (List<Path> l : lists) {
      out.addAll(l);
    }
    return out;
  }
}
