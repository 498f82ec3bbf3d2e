package io.baton.ops.manifests;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1DaemonSet;
import io.kubernetes.client.openapi.models.V1Job;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1PersistentVolumeClaim;
import io.kubernetes.client.openapi.models.V1PodDisruptionBudget;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServiceAccount;
import io.kubernetes.client.openapi.models.V1StatefulSet;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Checks a manifest against the Kubernetes API's published OpenAPI schema, as the official Java
 * client (io.kubernetes:client-java-api) compiles it into one model class per definition: a field
 * the schema does not define (what kubectl's strict validation refuses), a required field left
 * out, an object where a list or a scalar belongs, a number or quantity that does not parse. It
 * runs offline: the schema is in the jar. Kinds not listed here are refused, so a new kind in the
 * manifests is a deliberate addition.
 */
final class KubernetesSchema {
  @FunctionalInterface
  private interface Check {
    void run(JsonElement json, String text) throws Exception;
  }

  private static final Map<String, Check> MODELS = Map.ofEntries(
      Map.entry("v1 Namespace", (j, t) -> { V1Namespace.validateJsonElement(j); V1Namespace.fromJson(t); }),
      Map.entry("v1 ServiceAccount", (j, t) -> { V1ServiceAccount.validateJsonElement(j); V1ServiceAccount.fromJson(t); }),
      Map.entry("v1 Service", (j, t) -> { V1Service.validateJsonElement(j); V1Service.fromJson(t); }),
      Map.entry("v1 ConfigMap", (j, t) -> { V1ConfigMap.validateJsonElement(j); V1ConfigMap.fromJson(t); }),
      Map.entry("v1 Secret", (j, t) -> { V1Secret.validateJsonElement(j); V1Secret.fromJson(t); }),
      Map.entry("v1 PersistentVolumeClaim",
          (j, t) -> { V1PersistentVolumeClaim.validateJsonElement(j); V1PersistentVolumeClaim.fromJson(t); }),
      Map.entry("apps/v1 StatefulSet", (j, t) -> { V1StatefulSet.validateJsonElement(j); V1StatefulSet.fromJson(t); }),
      Map.entry("apps/v1 DaemonSet", (j, t) -> { V1DaemonSet.validateJsonElement(j); V1DaemonSet.fromJson(t); }),
      Map.entry("batch/v1 Job", (j, t) -> { V1Job.validateJsonElement(j); V1Job.fromJson(t); }),
      Map.entry("policy/v1 PodDisruptionBudget",
          (j, t) -> { V1PodDisruptionBudget.validateJsonElement(j); V1PodDisruptionBudget.fromJson(t); }));

  private KubernetesSchema() {}

  /** What is wrong with this object, or nothing. */
  static List<String> problems(JsonNode doc) {
    List<String> out = new ArrayList<>();
    String kind = doc.path("apiVersion").asText() + " " + doc.path("kind").asText();
    Check check = MODELS.get(kind);
    if (check == null) {
      out.add(Yaml.id(doc) + ": no schema for " + kind + " here; add its model to KubernetesSchema");
      return out;
    }
    if (doc.path("metadata").path("name").asText().isEmpty()) {
      out.add(Yaml.id(doc) + ": metadata.name is required");
    }
    String text = doc.toString();
    try {
      check.run(JsonParser.parseString(text), text);
    } catch (Exception e) {
      out.add(Yaml.id(doc) + ": " + firstLine(e));
    }
    strings(doc, "", out, Yaml.id(doc));
    return out;
  }

  /**
   * The models read a number or a boolean into a string field without complaint, while the API
   * server refuses it (env values, ConfigMap data, labels are strings: "3", not 3).
   */
  private static void strings(JsonNode node, String path, List<String> out, String id) {
    if (node.isObject()) {
      boolean stringMap = path.endsWith(".labels") || path.endsWith(".annotations") || path.endsWith(".matchLabels")
          || path.endsWith(".nodeSelector") || path.endsWith(".data") || path.endsWith(".stringData")
          || path.endsWith(".selector") && !node.has("matchLabels") && !node.has("matchExpressions");
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        String child = path + "." + e.getKey();
        boolean stringField = stringMap || child.endsWith(".env[].value") || e.getKey().equals("name")
            || e.getKey().equals("image") || e.getKey().equals("mountPath");
        if (stringField && !e.getValue().isTextual()) {
          out.add(id + ": " + child.substring(1) + " must be a string (quote it), was " + e.getValue());
        }
        strings(e.getValue(), child, out, id);
      }
    } else if (node.isArray()) {
      node.forEach(item -> strings(item, path + "[]", out, id));
    }
  }

  private static String firstLine(Exception e) {
    Throwable t = e.getCause() != null && e.getMessage() == null ? e.getCause() : e;
    String m = String.valueOf(t.getMessage());
    int json = m.indexOf(" JSON: ");
    m = json > 0 ? m.substring(0, json) : m;
    return t.getClass().getSimpleName() + ": " + (m.length() > 300 ? m.substring(0, 300) + "..." : m);
  }
}
