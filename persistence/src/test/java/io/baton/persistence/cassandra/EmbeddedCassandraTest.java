package io.baton.persistence.cassandra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import io.baton.persistence.testing.CassandraTestExtension;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(CassandraTestExtension.class)
class EmbeddedCassandraTest {

  @Test
  void answersCqlAndHasBatonSchema() {
    EmbeddedCassandra cassandra = CassandraTestExtension.cassandra();
    try (CqlSession session =
        CqlSession.builder()
            .addContactPoint(new InetSocketAddress("127.0.0.1", cassandra.nativePort()))
            .withLocalDatacenter("datacenter1")
            .build()) {
      String version = session.execute("SELECT release_version FROM system.local").one().getString(0);
      assertTrue(version.startsWith("5.0"), "expected Cassandra 5.0, got " + version);
      long journalTables =
          session
              .execute("SELECT table_name FROM system_schema.tables WHERE keyspace_name = 'baton_journal'")
              .all()
              .size();
      assertTrue(journalTables >= 2, "journal tables exist");
    }
  }

  @Test
  void takenPortGivesOneClearMessage(@TempDir Path dir) {
    int taken = CassandraTestExtension.cassandra().nativePort();
    CassandraStartException e =
        assertThrows(
            CassandraStartException.class,
            () -> EmbeddedCassandra.start(new EmbeddedCassandra.Options(dir, taken, 0, 256, Duration.ofSeconds(5))));
    assertTrue(e.getMessage().contains("already in use"), e.getMessage());
    assertTrue(e.getMessage().contains(String.valueOf(taken)), e.getMessage());
  }

  @Test
  void findsJdk17ForTheChild() {
    Path java = Jdk17Locator.locate();
    assertTrue(Jdk17Locator.isJdk17(java.getParent().getParent()));
    assertEquals("java", java.getFileName().toString());
  }
}
