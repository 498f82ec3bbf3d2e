package io.baton.persistence.cassandra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the Cassandra child's jars come from: the distribution's folder, else the build's record. */
class CassandraClasspathTest {
  @TempDir Path dir;

  @AfterEach
  void clear() {
    System.clearProperty(CassandraClasspath.LIB_PROPERTY);
    System.clearProperty(CassandraClasspath.HOME_PROPERTY);
  }

  @Test
  void aDistributionsCassandraFolderWins() throws Exception {
    Path lib = Files.createDirectories(dir.resolve("cassandra"));
    Files.createFile(lib.resolve("b.jar"));
    Files.createFile(lib.resolve("a.jar"));
    Files.createFile(lib.resolve("README"));
    System.setProperty(CassandraClasspath.HOME_PROPERTY, dir.toString());
    String[] entries = CassandraClasspath.resolve().split(File.pathSeparator);
    assertEquals(lib.resolve("a.jar").toString(), entries[0]);
    assertEquals(lib.resolve("b.jar").toString(), entries[1]);
    assertEquals(3, entries.length, "two jars, then Baton's own code for CassandraMain");
  }

  @Test
  void aHomeWithoutCassandraFallsBackToTheBuildsRecord() {
    System.setProperty(CassandraClasspath.HOME_PROPERTY, dir.toString());
    assertTrue(CassandraClasspath.resolve().contains("cassandra-all-"), "the checkout's recorded classpath");
  }

  @Test
  void anExplicitFolderWithoutJarsIsNamedInTheError() {
    System.setProperty(CassandraClasspath.LIB_PROPERTY, dir.toString());
    CassandraStartException e = assertThrows(CassandraStartException.class, CassandraClasspath::resolve);
    assertTrue(e.getMessage().startsWith("No Cassandra jars in " + dir), e.getMessage());
    assertTrue(e.getMessage().contains("--cassandra host:port"), e.getMessage());
  }
}
