package io.baton.http.errors;

import io.baton.actors.Rejection;
import io.baton.actors.app.Refusal;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An error as OpenAI's API reports it: {@code {"error":{"message","type","param","code"}}} with an
 * HTTP status. Every error Baton's HTTP layer returns is one of these; {@link #from(Refusal)} is
 * the one place where the application layer's typed refusals become HTTP errors.
 */
public record ApiError(int status, String type, String message, String param, String code,
    Map<String, String> headers) {

  public ApiError {
    headers = headers == null ? Map.of() : Map.copyOf(headers);
  }

  public ApiError(int status, String type, String message, String param, String code) {
    this(status, type, message, param, code, Map.of());
  }

  /**
   * 429 for a tenant over a limit, with {@code Retry-After} and OpenAI's {@code x-ratelimit-*}
   * headers for the limit's unit ({@code requests} or {@code tokens}).
   */
  public static ApiError rateLimited(String message, Refusal.RateLimit limit) {
    String unit = limit.unit();
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Retry-After", String.valueOf(Math.max(1, (limit.retryAfter().toMillis() + 999) / 1000)));
    headers.put("x-ratelimit-limit-" + unit, String.valueOf(limit.limit()));
    headers.put("x-ratelimit-remaining-" + unit, String.valueOf(limit.remaining()));
    headers.put("x-ratelimit-reset-" + unit, Math.max(1, limit.reset().toMillis()) + "ms");
    return new ApiError(429, "rate_limit_error", message, null, "rate_limit_exceeded", headers);
  }

  public static ApiError invalid(String param, String message) {
    return new ApiError(400, "invalid_request_error", message, param, null);
  }

  public static ApiError malformed(String message) {
    return new ApiError(400, "invalid_request_error", message, null, "invalid_json");
  }

  public static ApiError unauthorized(String message) {
    return new ApiError(401, "invalid_request_error", message, null, "invalid_api_key");
  }

  public static ApiError notFound(String message, String param, String code) {
    return new ApiError(404, "invalid_request_error", message, param, code);
  }

  public static ApiError unsupportedMediaType(String message) {
    return new ApiError(415, "invalid_request_error", message, null, "unsupported_media_type");
  }

  public static ApiError forbidden(String message, String code) {
    return new ApiError(403, "invalid_request_error", message, null, code);
  }

  public static ApiError tooLarge(String message) {
    return new ApiError(413, "invalid_request_error", message, null, "request_too_large");
  }

  public static ApiError overloaded(String message) {
    return new ApiError(429, "rate_limit_error", message, null, "rate_limit_exceeded");
  }

  public static ApiError unavailable(String message) {
    return new ApiError(503, "server_error", message, null, "service_unavailable");
  }

  public static ApiError internal(String message) {
    return new ApiError(500, "server_error", message, null, null);
  }

  /** The application layer's refusals, each to the status a client should act on. */
  public static ApiError from(Refusal r) {
    return switch (r.kind()) {
      case INVALID -> new ApiError(400, "invalid_request_error", r.message(), r.param(), r.code());
      case NOT_FOUND -> notFound(r.message(), r.param(), r.code());
      case CONFLICT -> new ApiError(409, "invalid_request_error", r.message(), r.param(), r.code());
      case RATE_LIMITED -> rateLimited(r.message(), r.rateLimit());
      case UNAVAILABLE -> r.rateLimit() == null ? unavailable(r.message())
          : new ApiError(503, "server_error", r.message(), null, r.code(), Map.of("Retry-After",
              String.valueOf(Math.max(1, (r.rateLimit().retryAfter().toMillis() + 999) / 1000))));
      case INTERNAL -> internal(r.message());
    };
  }

  /** An entity's rejection, through the same mapping. */
  public static ApiError from(Rejection r) {
    return from(Refusal.of(r));
  }
}
