package io.baton.bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.baton.persistence.BatonConfig;
import io.baton.persistence.PersistenceSettings;
import io.baton.persistence.cassandra.EmbeddedCassandra;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** A fresh embedded Cassandra on free ports, so a benchmark never touches ./data or a dev node. */
final class BenchCassandra implements AutoCloseable {
  final EmbeddedCassandra cassandra;
  final Path dir;

  BenchCassandra() throws IOException {
    dir = Files.createTempDirectory("baton-bench-cassandra-");
    System.err.println("bench: starting Cassandra in " + dir + " ...");
    cassandra = EmbeddedCassandra.start(new EmbeddedCassandra.Options(dir, 0, 0, 1024, Duration.ofMinutes(3)));
  }

  /** Local (non-cluster) actor system config pointing at this Cassandra, with overrides on top. */
  Config config(String overrides) {
    return BatonConfig.load(ConfigFactory.parseString(overrides)
        .withFallback(PersistenceSettings.connectionConfig(List.of(cassandra.contactPoint())))
        .withFallback(ConfigFactory.parseString("pekko.actor.provider = local")));
  }

  @Override
  public void close() {
    cassandra.close();
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // A temp directory left behind is harmless.
    }
  }
}
