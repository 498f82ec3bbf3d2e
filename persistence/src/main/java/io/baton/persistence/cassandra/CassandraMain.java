package io.baton.persistence.cassandra;

import java.lang.reflect.Method;
import java.util.Arrays;

/**
 * Entry point of the Cassandra child JVM. It ties Cassandra's life to its parent: when the Baton
 * process dies, even by kill -9, Cassandra shuts down instead of lingering and holding the ports
 * and the data directory. Only JDK classes are used here, because this class runs on Cassandra's
 * classpath, not Baton's.
 */
public final class CassandraMain {
  private static final String DAEMON = "org.apache.cassandra.service.CassandraDaemon";

  private CassandraMain() {}

  public static void main(String[] args) throws Exception {
    long parentPid = Long.parseLong(args[0]);
    ProcessHandle.of(parentPid)
        .ifPresentOrElse(
            parent ->
                parent
                    .onExit()
                    .thenRun(
                        () -> {
                          // System.exit runs Cassandra's own shutdown hook, which drains cleanly.
                          System.err.println("baton: parent " + parentPid + " exited, stopping Cassandra");
                          System.exit(0);
                        }),
            () -> System.exit(0));
    Method main = Class.forName(DAEMON).getMethod("main", String[].class);
    main.invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
  }
}
