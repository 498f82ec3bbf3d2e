package io.baton.actors.app;

import io.baton.actors.Rejection;
import java.time.Duration;

/**
 * Why the application layer will not do what was asked, in terms every API can map once: the HTTP
 * layer to a status and an OpenAI error object, a batch to an error line.
 *
 * @param param the request parameter at fault, or null
 * @param code a machine-readable code in OpenAI's style, or null
 * @param rateLimit for {@link Kind#RATE_LIMITED}: the limit, what is left and when to retry; for a
 *     busy {@link Kind#UNAVAILABLE}, when to retry; else null
 */
public record Refusal(Kind kind, String message, String param, String code, RateLimit rateLimit) {

  /** What the client should do about it. */
  public enum Kind {
    /** Fix the request. */
    INVALID,
    /** The thing does not exist for this caller (or never did). */
    NOT_FOUND,
    /** It exists but is not in a state that allows this. */
    CONFLICT,
    /** The tenant is over a limit: retry after {@link RateLimit#retryAfter()}. */
    RATE_LIMITED,
    /** The cluster could not answer in time: retry. */
    UNAVAILABLE,
    /** A defect: nothing the client did. */
    INTERNAL
  }

  /** A tenant's limit: {@code limit} per minute, {@code remaining} now, full again after {@code reset}. */
  public record RateLimit(String unit, long limit, long remaining, Duration reset, Duration retryAfter) {}

  public Refusal(Kind kind, String message, String param, String code) {
    this(kind, message, param, code, null);
  }

  public static Refusal invalid(String param, String message) {
    return new Refusal(Kind.INVALID, message, param, null);
  }

  public static Refusal notFound(String param, String message, String code) {
    return new Refusal(Kind.NOT_FOUND, message, param, code);
  }

  /** The fleet is too busy for the request to wait: retry after {@code retryAfter}. */
  public static Refusal busy(String message, Duration retryAfter) {
    return new Refusal(Kind.UNAVAILABLE, message, null, "overloaded",
        new RateLimit("queue", 0, 0, retryAfter, retryAfter));
  }

  public static Refusal unavailable(String message) {
    return new Refusal(Kind.UNAVAILABLE, message, null, "service_unavailable");
  }

  /** An entity's typed rejection, in the same terms. */
  public static Refusal of(Rejection r) {
    String code = r.reason().name().toLowerCase();
    return switch (r.reason()) {
      case NOT_FOUND -> new Refusal(Kind.NOT_FOUND, r.detail(), null, "not_found");
      case INVALID_ARGUMENT, LIMIT_EXCEEDED -> new Refusal(Kind.INVALID, r.detail(), null, null);
      case ALREADY_EXISTS, CONFLICT, ILLEGAL_STATE, ALREADY_TERMINAL, STALE_ATTEMPT, GAP ->
          new Refusal(Kind.CONFLICT, r.detail(), null, code);
    };
  }
}
