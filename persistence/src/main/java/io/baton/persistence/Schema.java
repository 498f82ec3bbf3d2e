package io.baton.persistence;

import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import io.baton.persistence.kv.KvBlockSchema;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
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
    List<String> all = new ArrayList<>();
    all.add(plugin.createJournalKeyspaceStatement());
    all.addAll(plugin.getCreateJournalTablesStatements());
    all.add(plugin.createSnapshotKeyspaceStatement());
    all.addAll(plugin.getCreateSnapshotTablesStatements());
    PersistenceSettings settings = PersistenceSettings.fromConfig(system.classicSystem().settings().config());
    all.add(dataKeyspaceStatement(settings));
    all.addAll(KvBlockSchema.statements(settings));
    all.addAll(io.baton.persistence.files.FileSchema.statements(settings));
    return List.copyOf(all);
  }

  static String dataKeyspaceStatement(PersistenceSettings settings) {
    return "CREATE KEYSPACE IF NOT EXISTS " + settings.dataKeyspace()
        + " WITH replication = {'class': 'SimpleStrategy', 'replication_factor': "
        + settings.replicationFactor() + "}";
  }

  /** Runs every statement in order; DDL must not race, or Cassandra reports schema disagreement. */
  public static CompletionStage<Done> create(ClassicActorSystemProvider system) {
    CassandraSession session = session(system);
    CompletionStage<Done> chain = CompletableFuture.completedFuture(Done.getInstance());
    for (String statement : statements(system)) {
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
