package io.baton.orchestrator.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.baton.persistence.BatonConfig;
import io.baton.persistence.PersistenceSettings;
import io.baton.persistence.Schema;
import io.baton.persistence.SchemaCheck;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code baton schema apply}: the keyspaces and tables as an explicit step, run once per install or
 * upgrade, so that production nodes (schema.create-at-start off) never race each other's DDL.
 */
@Command(name = "schema", mixinStandardHelpOptions = true, description = "Cassandra schema operations.",
    subcommands = SchemaCommand.Apply.class)
public final class SchemaCommand {

  @Command(name = "apply", mixinStandardHelpOptions = true,
      description = "Create or update Baton's keyspaces and tables (idempotent), then check that every table and"
          + " column is there. An existing keyspace keeps its replication.")
  static final class Apply implements Callable<Integer> {
    @Option(names = "--cassandra", split = ",", required = true, paramLabel = "host:port",
        description = "Contact points of the Cassandra cluster.")
    List<String> cassandra;

    @Option(names = "--replication", paramLabel = "dc1:3,dc2:3", description = "NetworkTopologyStrategy replicas"
        + " per datacenter for new keyspaces (default: SimpleStrategy with baton.persistence.replication-factor).")
    String replication;

    @Option(names = "--datacenter", description = "The driver's local datacenter (default"
        + " baton.persistence.local-datacenter, datacenter1).")
    String datacenter;

    @Override
    public Integer call() throws Exception {
      Map<String, Object> overrides = new HashMap<>(Map.of("pekko.actor.provider", "local"));
      if (replication != null) {
        PersistenceSettings.replication(replication); // fails with its format before anything connects
        overrides.put("baton.persistence.replication", replication);
      }
      if (datacenter != null) {
        overrides.put("baton.persistence.local-datacenter", datacenter);
      }
      Config config = PersistenceSettings.connectionConfig(cassandra)
          .withFallback(BatonConfig.load(ConfigFactory.parseMap(overrides)));
      ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "baton-schema", config);
      try {
        int total = Schema.statements(system).size();
        System.out.println("baton: applying " + total + " schema statements to " + String.join(",", cassandra));
        Schema.create(system, (i, statement) -> System.out.println("baton: [" + (i + 1) + "/" + total + "] "
            + statement.lines().findFirst().orElse(statement).replaceAll("\\s*\\($", ""))).toCompletableFuture()
            .get(10, TimeUnit.MINUTES);
        List<String> missing = SchemaCheck.missing(system).toCompletableFuture().get(1, TimeUnit.MINUTES);
        if (!missing.isEmpty()) {
          System.err.println("baton: applied, but still missing: " + missing + "; an existing table with an older"
              + " layout needs the ALTER its release notes give");
          return 1;
        }
        System.out.println("baton: schema is current");
        return 0;
      } finally {
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().get(1, TimeUnit.MINUTES);
      }
    }
  }
}
