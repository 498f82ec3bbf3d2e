package io.baton.orchestrator.cli;

import io.baton.persistence.cassandra.CassandraStartException;
import picocli.CommandLine;

/**
 * Turns failures into one line for the operator. Startup problems the operator can fix (a port,
 * a JDK, memory) already carry advice; anything else points at the log, never a stack-trace wall.
 */
final class OperatorErrorHandler implements CommandLine.IExecutionExceptionHandler {
  @Override
  public int handleExecutionException(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
    Throwable cause = rootOperatorCause(e);
    cmd.getErr().println("baton: " + cause.getMessage());
    if (!(cause instanceof CassandraStartException)) {
      cmd.getErr().println("baton: run with BATON_LOG_LEVEL=DEBUG for details.");
    }
    return 2;
  }

  private static Throwable rootOperatorCause(Throwable e) {
    Throwable t = e;
    while (t != null) {
      if (t instanceof CassandraStartException || t instanceof IllegalStateException) {
        return t;
      }
      t = t.getCause();
    }
    return e;
  }
}
