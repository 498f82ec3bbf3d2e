package io.baton.ops.manifests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** YAML documents as Jackson trees; empty documents (a trailing ---) are skipped. */
final class Yaml {
  static final ObjectMapper MAPPER = new YAMLMapper();

  private Yaml() {}

  static List<JsonNode> documents(Path file) {
    try {
      return documents(OpsFiles.read(file));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(OpsFiles.relative(file) + ": " + e.getMessage(), e);
    }
  }

  static List<JsonNode> documents(String text) {
    List<JsonNode> out = new ArrayList<>();
    try (MappingIterator<JsonNode> it = MAPPER.readerFor(JsonNode.class).readValues(text)) {
      while (it.hasNext()) {
        JsonNode doc = it.next();
        if (doc != null && !doc.isMissingNode() && !doc.isNull() && !doc.isEmpty()) {
          out.add(doc);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("not YAML: " + e.getMessage(), e);
    }
    return out;
  }

  /** "apps/v1 StatefulSet baton" for messages. */
  static String id(JsonNode doc) {
    return doc.path("apiVersion").asText() + " " + doc.path("kind").asText() + " " + doc.path("metadata").path("name").asText();
  }
}
