package io.baton.ops.manifests;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What one kustomization.yaml names: resource files (whole Kubernetes objects), resource
 * directories (other kustomizations), patch files (partial objects) and generator inputs.
 */
record Kustomization(Path file, List<Path> resourceFiles, List<Path> resourceDirs, List<Path> patchFiles,
    List<Path> generatorFiles, JsonNode tree) {

  static Kustomization read(Path file) {
    JsonNode k = Yaml.documents(file).get(0);
    Path dir = file.getParent();
    List<Path> files = new ArrayList<>();
    List<Path> dirs = new ArrayList<>();
    for (JsonNode r : k.path("resources")) {
      Path p = dir.resolve(r.asText()).normalize();
      (Files.isDirectory(p) ? dirs : files).add(p);
    }
    List<Path> patches = new ArrayList<>();
    for (JsonNode p : k.path("patches")) {
      if (p.has("path")) {
        patches.add(dir.resolve(p.get("path").asText()).normalize());
      }
    }
    List<Path> generated = new ArrayList<>();
    for (String generator : List.of("configMapGenerator", "secretGenerator")) {
      for (JsonNode g : k.path(generator)) {
        for (JsonNode f : g.path("files")) {
          String entry = f.asText();
          // "key=path" names the key; the file is after the '='.
          generated.add(dir.resolve(entry.substring(entry.indexOf('=') + 1)).normalize());
        }
      }
    }
    return new Kustomization(file, List.copyOf(files), List.copyOf(dirs), List.copyOf(patches),
        List.copyOf(generated), k);
  }

  /** Every kustomization.yaml under ops/k8s. */
  static List<Kustomization> all() {
    return OpsFiles.files(OpsFiles.K8S, "kustomization.yaml").stream().map(Kustomization::read).toList();
  }

  /** {@code NAME=value} literals of the generators named {@code name} (ConfigMaps or Secrets). */
  List<String> literals(String generator, String name) {
    List<String> out = new ArrayList<>();
    for (JsonNode g : tree.path(generator)) {
      if (g.path("name").asText().equals(name)) {
        g.path("literals").forEach(l -> out.add(l.asText()));
      }
    }
    return out;
  }
}
