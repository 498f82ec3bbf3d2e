package io.baton.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.baton.actors.Printable;
import io.baton.actors.session.ServiceClass;
import io.baton.http.errors.ApiError;
import io.baton.http.errors.ApiException;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Reads one field of a JSON request body, or refuses it with a 400 naming the parameter, as
 * OpenAI's API does. Absent and null read alike: the field's default.
 */
public final class BodyFields {
  private BodyFields() {}

  public static String text(JsonNode body, String field, boolean required) {
    JsonNode v = body.get(field);
    if (v == null || v.isNull()) {
      if (required) {
        throw error(field, "you must provide '" + field + "'");
      }
      return null;
    }
    if (!v.isTextual() || v.asText().isBlank()) {
      throw error(field, field + " must be a non-empty string");
    }
    return v.asText();
  }

  public static Integer integer(JsonNode body, String field) {
    JsonNode v = body.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isIntegralNumber() || !v.canConvertToInt()) {
      throw error(field, field + " must be an integer");
    }
    return v.asInt();
  }

  public static double number(JsonNode body, String field, double absent, double min, double max) {
    JsonNode v = body.get(field);
    if (v == null || v.isNull()) {
      return absent;
    }
    if (!v.isNumber() || v.asDouble() < min || v.asDouble() > max) {
      throw error(field, field + " must be a number between " + min + " and " + max);
    }
    return v.asDouble();
  }

  public static boolean bool(JsonNode body, String field, boolean absent) {
    JsonNode v = body.get(field);
    if (v == null || v.isNull()) {
      return absent;
    }
    if (!v.isBoolean()) {
      throw error(field, field + " must be true or false");
    }
    return v.asBoolean();
  }

  /** Baton's {@code seed} extension: null when absent (one is drawn at submission). */
  public static Long seed(JsonNode body) {
    JsonNode seed = body.get("seed");
    if (seed == null || seed.isNull()) {
      return null;
    }
    if (!seed.canConvertToLong() || !seed.isIntegralNumber()) {
      throw error("seed", "seed must be an integer");
    }
    return seed.asLong();
  }

  /**
   * Refuses a top-level field Baton does not take: an unknown one, as OpenAI does, and one it does
   * not implement unless it carries its neutral value (null included), so a client that asks for
   * tools or logprobs never gets an answer that silently ignored them.
   *
   * @param taken the fields the endpoint reads
   * @param neutral the fields it does not implement, each with the test for its "off" value
   * @param instead what a client gets by leaving such a field out, for the message
   */
  public static void checkParameters(JsonNode body, Set<String> taken, Map<String, Predicate<JsonNode>> neutral,
      String instead) {
    for (Iterator<Map.Entry<String, JsonNode>> fields = body.fields(); fields.hasNext(); ) {
      Map.Entry<String, JsonNode> field = fields.next();
      String name = field.getKey();
      if (taken.contains(name)) {
        continue;
      }
      Predicate<JsonNode> off = neutral.get(name);
      if (off == null) {
        throw error(name, "unrecognized request argument supplied: " + Printable.of(
            name.length() <= 64 ? name : name.substring(0, 64) + "..."));
      }
      if (!field.getValue().isNull() && !off.test(field.getValue())) {
        throw error(name, name + " is not supported by Baton; leave it out (or send null or its default) " + instead);
      }
    }
  }

  /** Baton's {@code priority} extension: a service class by name, null when absent. */
  public static ServiceClass priority(JsonNode body) {
    JsonNode v = body.get("priority");
    if (v == null || v.isNull()) {
      return null;
    }
    return ServiceClass.parse(v.asText()).filter(c -> v.isTextual()).orElseThrow(() -> error("priority",
        "priority must be one of interactive, batch, background"));
  }

  public static ApiException error(String param, String message) {
    return new ApiException(ApiError.invalid(param, message));
  }
}
