package io.baton.persistence;

import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import io.baton.persistence.files.FileSchema;
import io.baton.persistence.kv.KvBlockSchema;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;
import java.util.stream.Collectors;
import org.apache.pekko.Done;
import org.apache.pekko.actor.ClassicActorSystemProvider;
import org.apache.pekko.persistence.cassandra.KeyspaceAndTableStatements;
import org.apache.pekko.persistence.cassandra.PluginSettings;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSessionRegistry;

/**
 * Creates Baton's keyspaces and tables if they are missing. The journal and snapshot statements
 * come from pekko-persistence-cassandra itself, so they always match the plugin's version; Baton's
 * own tables live in the data keyspace ({@code baton.persistence.data-keyspace}). Each
 * schema change costs about a second, so this runs once per node start or test run, never per test.
 */
public final class Schema {
  public static final String PLUGIN_PATH = "pekko.persistence.cassandra";
  private static final Duration DDL_TIMEOUT = Duration.ofSeconds(60);

  private Schema() {}

  public static List<String> statements(ClassicActorSystemProvider system) {
    KeyspaceAndTableStatements plugin =
        new KeyspaceAndTableStatements(system, PLUGIN_PATH, PluginSettings.apply(system.classicSystem()));
    PersistenceSettings settings = PersistenceSettings.fromConfig(system.classicSystem().settings().config());
    List<String> all = new ArrayList<>();
    all.add(keyspaceStatement(settings.journalKeyspace(), settings));
    all.addAll(plugin.getCreateJournalTablesStatements());
    all.add(keyspaceStatement(settings.snapshotKeyspace(), settings));
    all.addAll(plugin.getCreateSnapshotTablesStatements());
    all.add(keyspaceStatement(settings.dataKeyspace(), settings));
    all.addAll(KvBlockSchema.statements(settings));
    all.addAll(FileSchema.statements(settings));
    return List.copyOf(all);
  }

  /**
   * SimpleStrategy with {@code replication-factor} for dev and a single datacenter, or
   * NetworkTopologyStrategy with {@code replication} ("dc1:3,dc2:3") for a real cluster. An
   * existing keyspace keeps its replication: changing it is an operator's ALTER plus a repair.
   */
  static String keyspaceStatement(String keyspace, PersistenceSettings settings) {
    String replication = settings.datacenterReplication().isEmpty()
        ? "'class': 'SimpleStrategy', 'replication_factor': " + settings.replicationFactor()
        : "'class': 'NetworkTopologyStrategy', " + settings.datacenterReplication().entrySet().stream()
            .map(e -> "'" + e.getKey() + "': " + e.getValue()).collect(Collectors.joining(", "));
    return "CREATE KEYSPACE IF NOT EXISTS " + keyspace + " WITH replication = {" + replication + "}";
  }

  /** Runs every statement in order; DDL must not race, or Cassandra reports schema disagreement. */
  public static CompletionStage<Done> create(ClassicActorSystemProvider system) {
    return create(system, (index, statement) -> { });
  }

  /** As {@link #create(ClassicActorSystemProvider)}, telling {@code progress} before each statement. */
  public static CompletionStage<Done> create(ClassicActorSystemProvider system, BiConsumer<Integer, String> progress) {
    CassandraSession session = session(system);
    CompletionStage<Done> chain = CompletableFuture.completedFuture(Done.getInstance());
    List<String> statements = statements(system);
    for (int i = 0; i < statements.size(); i++) {
      String statement = statements.get(i);
      int index = i;
      chain = chain.thenApply(done -> {
        progress.accept(index, statement);
        return done;
      });
      // A schema change waits for agreement; on a fresh node that can exceed any request timeout.
      SimpleStatement ddl = SimpleStatement.newInstance(statement).setTimeout(DDL_TIMEOUT);
      chain = chain.thenCompose(done -> session.executeWrite(ddl));
    }
    return chain;
  }

  public static CassandraSession session(ClassicActorSystemProvider system) {
    return CassandraSessionRegistry.get(system).sessionFor(PLUGIN_PATH);
  }
}
