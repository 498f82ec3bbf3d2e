package io.baton.persistence.testing;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.baton.persistence.BatonConfig;
import io.baton.persistence.PersistenceSettings;
import io.baton.persistence.Schema;
import io.baton.persistence.cassandra.EmbeddedCassandra;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.pekko.actor.ActorSystem;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real Cassandra per test JVM, shared by every test class that uses this extension. It starts
 * on first use, gets Baton's schema once, and stops when the JUnit run ends. Tests isolate
 * themselves by using their own entity ids, never by separate keyspaces (a schema change costs ~1 s).
 */
public final class CassandraTestExtension implements BeforeAllCallback {
  private static final String KEY = "baton-test-cassandra";
  private static volatile Running running;

  private record Running(EmbeddedCassandra cassandra, Path dir) implements ExtensionContext.Store.CloseableResource {
    @Override
    public void close() {
      // Another engine on the same JUnit platform (jqwik) may start a fresh one after this.
      running = null;
      cassandra.close();
      deleteTree(dir);
    }
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL).getOrComputeIfAbsent(KEY, k -> start());
  }

  /**
   * For test engines other than Jupiter (jqwik's properties), which do not run Jupiter extensions:
   * starts the shared Cassandra if no Jupiter class has, and stops it when the JVM exits.
   */
  public static synchronized EmbeddedCassandra startOutsideJupiter() {
    if (running == null) {
      Running started = start();
      Runtime.getRuntime().addShutdownHook(new Thread(started::close, "test-cassandra-stop"));
    }
    return running().cassandra();
  }

  /** Config for a test ActorSystem: the application's config, connected to the shared Cassandra. */
  public static Config config() {
    return BatonConfig.load(PersistenceSettings.connectionConfig(List.of(running().cassandra().contactPoint())));
  }

  public static EmbeddedCassandra cassandra() {
    return running().cassandra();
  }

  private static Running running() {
    if (running == null) {
      throw new IllegalStateException("Annotate the test class with @ExtendWith(CassandraTestExtension.class)");
    }
    return running;
  }

  private static synchronized Running start() {
    if (running != null) {
      return running;
    }
    try {
      Path target = Files.createDirectories(Path.of("target"));
      Path dir = Files.createTempDirectory(target, "test-cassandra-");
      EmbeddedCassandra cassandra =
          EmbeddedCassandra.start(new EmbeddedCassandra.Options(dir, 0, 0, 512, Duration.ofMinutes(3)));
      Running started = new Running(cassandra, dir);
      try {
        createSchema(cassandra);
      } catch (RuntimeException e) {
        started.close();
        throw e;
      }
      // Published only once usable, so a failed start is retried by the next class, not reused.
      running = started;
      return started;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void createSchema(EmbeddedCassandra cassandra) {
    // A local actor system: the node's cluster config would bind a fixed port (2551).
    Config config = BatonConfig.load(ConfigFactory.parseString("pekko.actor.provider = local")
        .withFallback(PersistenceSettings.connectionConfig(List.of(cassandra.contactPoint()))));
    ActorSystem system = ActorSystem.create("schema", config);
    try {
      Schema.create(system).toCompletableFuture().get(2, TimeUnit.MINUTES);
    } catch (Exception e) {
      throw new IllegalStateException("Creating Baton's schema in the test Cassandra failed", e);
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().join();
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // Leftovers stay under target/ and go with mvn clean.
    }
  }
}
