package io.baton.persistence;

import com.datastax.oss.driver.api.core.cql.SimpleStatement;
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
 * come from pekko-persistence-cassandra itself, so they always match the plugin's version. Each
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
    return List.copyOf(all);
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
