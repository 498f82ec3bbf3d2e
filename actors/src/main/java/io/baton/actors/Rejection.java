package io.baton.actors;

/**
 * Why an entity refused a command. Nothing is persisted for a rejected command. The HTTP layer maps
 * each {@link Reason} to a status code and an OpenAI error object in one place.
 */
public record Rejection(Reason reason, String detail) implements CborSerializable {

  public enum Reason {
    /** The entity has never been created. */
    NOT_FOUND,
    /** Creation was asked twice with different content. */
    ALREADY_EXISTS,
    /** The command itself is malformed: a value out of range, an empty list. */
    INVALID_ARGUMENT,
    /** The command is valid but not in the entity's current state. */
    ILLEGAL_STATE,
    /** A worker wrote for an attempt that is no longer the current one (fencing). */
    STALE_ATTEMPT,
    /** A token chunk would leave a hole in the session's token log. */
    GAP,
    /** A retried chunk disagrees with tokens already persisted at the same index. */
    CONFLICT,
    /** The entity has already reached its one terminal event. */
    ALREADY_TERMINAL,
    /** A limit such as max_tokens would be exceeded. */
    LIMIT_EXCEEDED
  }

  public static Rejection of(Reason reason, String detail) {
    return new Rejection(reason, detail);
  }
}
