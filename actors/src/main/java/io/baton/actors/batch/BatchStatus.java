package io.baton.actors.batch;

/**
 * Where a batch is in the OpenAI Batch API lifecycle:
 *
 * <pre>
 * validating → in_progress → finalizing → completed
 *     ↓             ↓                       failed | expired
 *     └─────→ cancelling → cancelled
 * </pre>
 *
 * Exactly one terminal status is ever reached.
 */
public enum BatchStatus {
  /** No Created event yet: the entity exists only because someone addressed it. The API shows a 404. */
  NEW("new"),
  VALIDATING("validating"),
  IN_PROGRESS("in_progress"),
  FINALIZING("finalizing"),
  COMPLETED("completed"),
  FAILED("failed"),
  EXPIRED("expired"),
  CANCELLING("cancelling"),
  CANCELLED("cancelled");

  // Spelled out rather than derived from name(), so renaming a constant cannot change the API.
  private final String wireName;

  BatchStatus(String wireName) {
    this.wireName = wireName;
  }

  /** The status as OpenAI's batch object spells it. */
  public String wireName() {
    return wireName;
  }

  public boolean isTerminal() {
    return this == COMPLETED || this == FAILED || this == EXPIRED || this == CANCELLED;
  }
}
