package io.baton.actors.session;

/** Where a session is in its life; see the state machine in DESIGN.md. */
public enum SessionStatus {
  /** No Submitted event yet: the entity exists only because someone addressed it. */
  NEW,
  /** Waiting for a GPU: just submitted, or its last attempt failed. */
  PENDING,
  /** A GPU accepted it and no token of this attempt is durable yet. */
  PLACED,
  /** Tokens of the current attempt are arriving. */
  GENERATING,
  COMPLETED,
  FAILED,
  CANCELLED;

  public boolean isTerminal() {
    return this == COMPLETED || this == FAILED || this == CANCELLED;
  }

  /** A worker holds the session and may append, checkpoint, finish or fail the attempt. */
  public boolean isRunning() {
    return this == PLACED || this == GENERATING;
  }
}
