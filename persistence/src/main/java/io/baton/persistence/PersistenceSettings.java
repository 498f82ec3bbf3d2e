package io.baton.persistence;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.baton.persistence.cassandra.EmbeddedCassandra;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** The persistence module's settings, read from {@code baton.persistence}. */
public record PersistenceSettings(
    String journalKeyspace,
    String snapshotKeyspace,
    int replicationFactor,
    String localDatacenter,
    List<String> contactPoints,
    Embedded embedded) {

  /** The embedded Cassandra's place and size. */
  public record Embedded(Path dir, int nativePort, int storagePort, int heapMb, java.time.Duration startTimeout) {
    public EmbeddedCassandra.Options toOptions() {
      return new EmbeddedCassandra.Options(dir, nativePort, storagePort, heapMb, startTimeout);
    }
  }

  public static PersistenceSettings fromConfig(Config root) {
    Config c = root.getConfig("baton.persistence");
    Config e = c.getConfig("embedded");
    return new PersistenceSettings(
        c.getString("journal-keyspace"),
        c.getString("snapshot-keyspace"),
        c.getInt("replication-factor"),
        c.getString("local-datacenter"),
        List.copyOf(c.getStringList("contact-points")),
        new Embedded(
            Path.of(e.getString("dir")),
            e.getInt("native-port"),
            e.getInt("storage-port"),
            e.getInt("heap-mb"),
            e.getDuration("start-timeout")));
  }

  public boolean usesEmbeddedCassandra() {
    return contactPoints.isEmpty();
  }

  /**
   * Config that points the journal, snapshot store and driver at the given Cassandra. It is laid
   * over the application config, so the contact points chosen at start-up win.
   */
  public static Config connectionConfig(List<String> contactPoints) {
    return ConfigFactory.parseMap(
        Map.of(
            "baton.persistence.contact-points", contactPoints,
            "datastax-java-driver.basic.contact-points", contactPoints));
  }
}
