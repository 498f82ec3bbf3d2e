package io.baton.orchestrator.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;
import java.util.Map;

/**
 * OpenAI's documented Responses API shapes ({@code openai-responses/event-schemas.json}, written
 * from the API reference and the official SDK's types, not from Baton's output), and a check of a
 * JSON value against one of them: every required field present with its type, constants equal,
 * nested objects checked against theirs.
 */
final class OpenAiSchemas {
  private final JsonNode schemas;

  private OpenAiSchemas(JsonNode schemas) {
    this.schemas = schemas;
  }

  static OpenAiSchemas load() throws IOException {
    try (InputStream in = OpenAiSchemas.class.getResourceAsStream("/openai-responses/event-schemas.json")) {
      assertNotNull(in, "the test resource openai-responses/event-schemas.json is missing");
      return new OpenAiSchemas(new ObjectMapper().readTree(in));
    }
  }

  /** Fails, naming the path, where {@code value} departs from the shape called {@code name}. */
  void check(String name, JsonNode value) {
    check(name, value, name);
  }

  private void check(String name, JsonNode value, String path) {
    JsonNode schema = schemas.get(name);
    assertNotNull(schema, "no documented shape named " + name);
    assertTrue(value.isObject(), path + " is an object: " + value);
    for (Iterator<Map.Entry<String, JsonNode>> it = schema.path("required").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      String at = path + "." + field.getKey();
      assertTrue(value.has(field.getKey()), at + " is required: " + value);
      checkType(field.getValue().asText(), value.get(field.getKey()), at);
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = schema.path("const").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      assertEquals(field.getValue(), value.get(field.getKey()), path + "." + field.getKey());
    }
  }

  /** One of the {@code |}-separated alternatives must fit. */
  private void checkType(String types, JsonNode v, String path) {
    AssertionError last = null;
    for (String type : types.split("\\|")) {
      try {
        checkOne(type, v, path);
        return;
      } catch (AssertionError e) {
        last = e;
      }
    }
    throw new AssertionError(path + " should be " + types + ", was " + v + (last == null ? "" : ": " + last.getMessage()));
  }

  private void checkOne(String type, JsonNode v, String path) {
    if (type.startsWith("@")) {
      check(type.substring(1), v, path);
    } else if (type.startsWith("array<@")) {
      assertTrue(v.isArray(), path + " is an array");
      String item = type.substring("array<@".length(), type.length() - 1);
      for (int i = 0; i < v.size(); i++) {
        check(item, v.get(i), path + "[" + i + "]");
      }
    } else {
      boolean fits = switch (type) {
        case "string" -> v.isTextual();
        case "integer" -> v.isIntegralNumber();
        case "number" -> v.isNumber();
        case "boolean" -> v.isBoolean();
        case "object" -> v.isObject();
        case "array" -> v.isArray();
        case "null" -> v.isNull();
        default -> throw new AssertionError("unknown type " + type + " in the schema file");
      };
      assertTrue(fits, path + " is " + type);
    }
  }
}
