package io.baton.ops.manifests;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** An overlay's rendered objects, and what a container of it would see: its environment and its files. */
record Rendered(String overlay, List<JsonNode> docs) {
  private static final Pattern VAR = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");

  /** A StatefulSet, DaemonSet or Job: something that runs pods. */
  record Workload(JsonNode object) {
    String kind() {
      return object.path("kind").asText();
    }

    String name() {
      return object.path("metadata").path("name").asText();
    }

    String namespace() {
      return object.path("metadata").path("namespace").asText("default");
    }

    JsonNode podSpec() {
      return object.path("spec").path("template").path("spec");
    }

    List<JsonNode> containers() {
      List<JsonNode> out = new ArrayList<>();
      podSpec().path("containers").forEach(out::add);
      return out;
    }

    /** A pod name as this workload makes them: baton-0 for a StatefulSet; any for the others. */
    String podName() {
      return kind().equals("StatefulSet") ? name() + "-0" : name() + "-x7k2q";
    }
  }

  List<JsonNode> ofKind(String kind) {
    return docs.stream().filter(d -> d.path("kind").asText().equals(kind)).toList();
  }

  Optional<JsonNode> find(String kind, String name) {
    return ofKind(kind).stream().filter(d -> d.path("metadata").path("name").asText().equals(name)).findFirst();
  }

  List<Workload> workloads() {
    return docs.stream().filter(d -> List.of("StatefulSet", "DaemonSet", "Job").contains(d.path("kind").asText()))
        .map(Workload::new).toList();
  }

  /** Baton's own containers: those running the Baton image (its name ends in baton, any registry). */
  static boolean isBaton(JsonNode container) {
    String image = container.path("image").asText();
    String name = image.contains(":") ? image.substring(0, image.lastIndexOf(':')) : image;
    return name.equals("baton") || name.endsWith("/baton");
  }

  /**
   * The container's environment as the kubelet builds it: envFrom ConfigMaps first, then env in
   * order, each value's $(VAR) expanded from what came before. Secrets read as "secret-value",
   * downward API fields as plausible values.
   */
  Map<String, String> environment(Workload w, JsonNode container) {
    Map<String, String> env = new LinkedHashMap<>();
    for (JsonNode from : container.path("envFrom")) {
      if (from.has("configMapRef")) {
        String name = from.path("configMapRef").path("name").asText();
        JsonNode cm = find("ConfigMap", name).orElseThrow(() -> new AssertionError(
            overlay + ": " + w.name() + " reads ConfigMap " + name + " through envFrom, and it is not rendered"));
        cm.path("data").fields().forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
      }
    }
    for (JsonNode e : container.path("env")) {
      String name = e.path("name").asText();
      if (e.has("value")) {
        env.put(name, expand(e.path("value").asText(), env));
      } else {
        env.put(name, valueFrom(w, e.path("valueFrom")));
      }
    }
    return env;
  }

  private String valueFrom(Workload w, JsonNode from) {
    if (from.has("secretKeyRef")) {
      return "secret-value";
    }
    if (from.has("configMapKeyRef")) {
      JsonNode ref = from.path("configMapKeyRef");
      return find("ConfigMap", ref.path("name").asText()).map(cm -> cm.path("data").path(ref.path("key").asText()))
          .filter(JsonNode::isTextual).map(JsonNode::asText)
          .orElseThrow(() -> new AssertionError(overlay + ": " + w.name() + " reads " + ref + ", which is not rendered"));
    }
    String field = from.path("fieldRef").path("fieldPath").asText();
    return switch (field) {
      case "metadata.name" -> w.podName();
      case "metadata.namespace" -> w.namespace();
      case "spec.nodeName" -> "gpu-node-7";
      case "status.podIP" -> "10.244.3.17";
      default -> throw new AssertionError(overlay + ": " + w.name() + " reads the unexpected field " + field);
    };
  }

  /** $(VAR) as the kubelet expands it: defined names only; others stay as written. */
  static String expand(String value, Map<String, String> env) {
    Matcher m = VAR.matcher(value);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String v = env.get(m.group(1));
      m.appendReplacement(out, Matcher.quoteReplacement(v != null ? v : m.group()));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** The files the container sees under a ConfigMap mount, by absolute path. */
  Map<String, String> configMapFiles(Workload w, JsonNode container) {
    Map<String, String> files = new LinkedHashMap<>();
    for (JsonNode mount : container.path("volumeMounts")) {
      JsonNode volume = volume(w, mount.path("name").asText());
      if (volume.has("configMap")) {
        String name = volume.path("configMap").path("name").asText();
        JsonNode cm = find("ConfigMap", name).orElseThrow(() -> new AssertionError(
            overlay + ": " + w.name() + " mounts ConfigMap " + name + ", which is not rendered"));
        cm.path("data").fields().forEachRemaining(e ->
            files.put(mount.path("mountPath").asText() + "/" + e.getKey(), e.getValue().asText()));
      }
    }
    return files;
  }

  JsonNode volume(Workload w, String name) {
    for (JsonNode v : w.podSpec().path("volumes")) {
      if (v.path("name").asText().equals(name)) {
        return v;
      }
    }
    for (JsonNode claim : w.object().path("spec").path("volumeClaimTemplates")) {
      if (claim.path("metadata").path("name").asText().equals(name)) {
        return claim;
      }
    }
    throw new AssertionError(overlay + ": " + w.name() + " mounts volume " + name + ", which it does not define");
  }
}
