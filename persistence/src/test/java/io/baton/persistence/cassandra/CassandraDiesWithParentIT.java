package io.baton.persistence.cassandra;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** kill -9 of the process that started Cassandra must not leave Cassandra running. */
class CassandraDiesWithParentIT {

  @Test
  @Timeout(240)
  void cassandraStopsWhenItsParentIsKilled(@TempDir Path dir) throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process parent = new ProcessBuilder(List.of(java.toString(), "-cp", System.getProperty("java.class.path"),
            OrphanProbeMain.class.getName(), dir.toString()))
        .redirectErrorStream(true)
        .start();
    try {
      long cassandraPid = readCassandraPid(parent);
      ProcessHandle cassandra = ProcessHandle.of(cassandraPid).orElseThrow();
      assertTrue(cassandra.isAlive());

      parent.destroyForcibly().waitFor();

      await("Cassandra " + cassandraPid + " exits after its parent was killed")
          .atMost(Duration.ofSeconds(60))
          .until(() -> !cassandra.isAlive());
    } finally {
      parent.destroyForcibly();
    }
  }

  private static long readCassandraPid(Process parent) throws Exception {
    BufferedReader out = new BufferedReader(new InputStreamReader(parent.getInputStream(), StandardCharsets.UTF_8));
    String line;
    while ((line = out.readLine()) != null) {
      if (line.startsWith("cassandra-pid=")) {
        return Long.parseLong(line.substring("cassandra-pid=".length()).trim());
      }
    }
    throw new AssertionError("the probe exited before Cassandra started");
  }
}
