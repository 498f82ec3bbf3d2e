package io.baton.persistence;

/** The node runs no DDL at start and its schema is missing or behind; the message says what to run. */
public final class SchemaMissingException extends IllegalStateException {
  public SchemaMissingException(String message) {
    super(message);
  }
}
