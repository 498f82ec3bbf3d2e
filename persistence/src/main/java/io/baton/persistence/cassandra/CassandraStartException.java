package io.baton.persistence.cassandra;

/**
 * A failure to start Cassandra, worded for the operator: what went wrong and what to do next. The
 * CLI prints only the message, never a stack trace.
 */
public final class CassandraStartException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public CassandraStartException(String message) {
    super(message);
  }
}
