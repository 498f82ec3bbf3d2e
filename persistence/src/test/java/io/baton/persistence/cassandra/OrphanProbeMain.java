package io.baton.persistence.cassandra;

import java.nio.file.Path;
import java.time.Duration;

/**
 * A stand-in for a Baton process: starts Cassandra, prints its pid, then waits to be killed. The
 * orphan test kills this JVM with SIGKILL, so no shutdown hook can run.
 */
public final class OrphanProbeMain {
  private OrphanProbeMain() {}

  public static void main(String[] args) throws Exception {
    EmbeddedCassandra cassandra = EmbeddedCassandra.start(
        new EmbeddedCassandra.Options(Path.of(args[0]), 0, 0, 256, Duration.ofMinutes(3)));
    System.out.println("cassandra-pid=" + cassandra.pid());
    System.out.flush();
    Thread.currentThread().join();
  }
}
