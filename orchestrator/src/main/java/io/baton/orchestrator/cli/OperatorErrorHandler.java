package io.baton.orchestrator.cli;

import io.baton.persistence.SchemaMissingException;
import io.baton.persistence.cassandra.CassandraStartException;
import java.net.BindException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * Turns failures into one line for the operator. Startup problems the operator can fix (a port,
 * a JDK, memory) already carry advice; anything else points at the log, never a stack-trace wall.
 */
final class OperatorErrorHandler implements CommandLine.IExecutionExceptionHandler {
  private static final Logger log = LoggerFactory.getLogger(OperatorErrorHandler.class);

  @Override
  public int handleExecutionException(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
    log.debug("command failed", e);
    Throwable cause = rootOperatorCause(e);
    if (cause instanceof BindException) {
      cmd.getErr().println("baton: a port Baton needs is taken (" + describe(cause) + "). Stop the other"
          + " process or choose other ports: --port (HTTP), --cluster-port, --cassandra-port.");
      return 2;
    }
    cmd.getErr().println("baton: " + describe(cause));
    if (!(cause instanceof CassandraStartException) && !(cause instanceof SchemaMissingException)) {
      cmd.getErr().println("baton: run with BATON_LOG_LEVEL=DEBUG for the full trace.");
    }
    return 2;
  }

  private static String describe(Throwable t) {
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }

  private static Throwable rootOperatorCause(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof CassandraStartException || t instanceof BindException || t instanceof SchemaMissingException) {
        return t;
      }
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof IllegalStateException) {
        return t;
      }
    }
    return e;
  }
}
