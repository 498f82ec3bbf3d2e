package io.baton.persistence;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.baton.persistence.cassandra.EmbeddedCassandra;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The persistence module's settings, read from {@code baton.persistence}. */
public record PersistenceSettings(
    String journalKeyspace,
    String snapshotKeyspace,
    String dataKeyspace,
    int replicationFactor,
    String localDatacenter,
    Map<String, Integer> datacenterReplication,
    List<String> contactPoints,
    boolean schemaAtStart,
    KvBlocks kvBlocks,
    Embedded embedded) {

  /** The embedded Cassandra's place and size. */
  public record Embedded(Path dir, int nativePort, int storagePort, int heapMb, Duration startTimeout) {
    public EmbeddedCassandra.Options toOptions() {
      return new EmbeddedCassandra.Options(dir, nativePort, storagePort, heapMb, startTimeout);
    }
  }

  /** The KV block store: how long blocks live and how reads and writes are batched. */
  public record KvBlocks(Duration ttl, int readBatchSize, int writeParallelism) {
    public KvBlocks {
      // CQL TTLs are whole seconds, at least 1 (0 would mean "never expires").
      if (ttl.toSeconds() < 1 || ttl.toSeconds() > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("baton.persistence.kv-blocks.ttl must be at least 1s: " + ttl);
      }
      if (readBatchSize < 1 || writeParallelism < 1) {
        throw new IllegalArgumentException("kv-blocks read-batch-size and write-parallelism must be positive");
      }
    }

    public int ttlSeconds() {
      return (int) ttl.toSeconds();
    }
  }

  public static PersistenceSettings fromConfig(Config root) {
    Config c = root.getConfig("baton.persistence");
    Config e = c.getConfig("embedded");
    Config kv = c.getConfig("kv-blocks");
    return new PersistenceSettings(
        c.getString("journal-keyspace"),
        c.getString("snapshot-keyspace"),
        c.getString("data-keyspace"),
        c.getInt("replication-factor"),
        c.getString("local-datacenter"),
        replication(c.getString("replication")),
        BatonConfig.stringList(c, "contact-points"),
        c.getBoolean("schema.create-at-start"),
        new KvBlocks(kv.getDuration("ttl"), kv.getInt("read-batch-size"), kv.getInt("write-parallelism")),
        new Embedded(
            Path.of(e.getString("dir")),
            e.getInt("native-port"),
            e.getInt("storage-port"),
            e.getInt("heap-mb"),
            e.getDuration("start-timeout")));
  }

  /** "dc1:3,dc2:3" to {dc1=3, dc2=3}, in order; blank: none (SimpleStrategy). */
  public static Map<String, Integer> replication(String spec) {
    Map<String, Integer> factors = new LinkedHashMap<>();
    for (String entry : spec.split(",")) {
      if (entry.isBlank()) {
        continue;
      }
      String[] parts = entry.trim().split(":");
      if (parts.length != 2 || !parts[1].trim().matches("[1-9][0-9]*") || !parts[0].trim().matches("[\\w.-]+")) {
        throw new IllegalArgumentException("replication must read like 'dc1:3,dc2:3' (datacenter:replicas), got '"
            + entry.trim() + "'");
      }
      factors.put(parts[0].trim(), Integer.parseInt(parts[1].trim()));
    }
    return Collections.unmodifiableMap(factors);
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
