package io.baton.orchestrator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.cql.Row;
import com.typesafe.config.ConfigFactory;
import io.baton.orchestrator.cli.SchemaCommand;
import io.baton.persistence.BatonConfig;
import io.baton.persistence.PersistenceSettings;
import io.baton.persistence.Schema;
import io.baton.persistence.SchemaCheck;
import io.baton.persistence.SchemaMissingException;
import io.baton.persistence.testing.CassandraTestExtension;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import picocli.CommandLine;

/**
 * Production's schema path on a real Cassandra: a node that runs no DDL at start refuses a missing
 * or behind schema in one line naming {@code baton schema apply}; the command, run as an operator
 * runs it, creates what is missing; the node then starts. Each test uses keyspaces of its own on
 * the shared test Cassandra, so it sees an empty schema without starting another Cassandra.
 */
@ExtendWith(CassandraTestExtension.class)
class SchemaApplyIT {
  private static final String NTS = "org.apache.cassandra.locator.NetworkTopologyStrategy";
  private static final String SIMPLE = "org.apache.cassandra.locator.SimpleStrategy";

  /** Fresh keyspace names, as the journal, snapshot and data keyspace settings. */
  private record Keyspaces(String journal, String snapshot, String data) {
    static Keyspaces fresh() {
      String id = "it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
      return new Keyspaces(id + "_journal", id + "_snapshot", id + "_data");
    }

    Map<String, String> settings() {
      return Map.of("baton.persistence.journal-keyspace", journal, "baton.persistence.snapshot-keyspace", snapshot,
          "baton.persistence.data-keyspace", data);
    }

    List<String> all() {
      return List.of(journal, snapshot, data);
    }
  }

  private record Run(int exitCode, List<String> lines, String err) {}

  @Test
  void aMissingSchemaIsRefusedThenAppliedThenAcceptedAndADroppedColumnIsRefusedAgain() throws Exception {
    Keyspaces ks = Keyspaces.fresh();
    String cp = CassandraTestExtension.cassandra().contactPoint();
    try (Probe probe = new Probe(ks)) {
      appliedAfterRefusal(ks, cp, probe);
      try (BatonNode node = startWithoutDdl(ks)) {
        assertEquals(200, get(node.managementAddress() + "/ready").statusCode(), "the journal check passes too");
        assertTrue(probe.session().selectOne("SELECT persistence_id FROM " + ks.journal() + ".messages LIMIT 1")
            .toCompletableFuture().get(30, TimeUnit.SECONDS).isPresent(), "the node journals into the applied keyspace");
      }
      probe.session().executeDDL("ALTER TABLE " + ks.data() + ".files DROP filename")
          .toCompletableFuture().get(1, TimeUnit.MINUTES);
      assertEquals(List.of("column " + ks.data() + ".files.filename"), probe.missing());
    }
    SchemaMissingException behind = assertThrows(SchemaMissingException.class, () -> startWithoutDdl(ks));
    assertTrue(behind.getMessage().contains("the Cassandra schema is missing or behind (column " + ks.data()
        + ".files.filename): run `baton schema apply --cassandra " + cp + "`"), behind::getMessage);
  }

  /** (a) the node refuses the empty schema, (b) the command applies it, printing each statement. */
  private static void appliedAfterRefusal(Keyspaces ks, String cp, Probe probe) throws Exception {
    SchemaMissingException missing = assertThrows(SchemaMissingException.class, () -> startWithoutDdl(ks));
    String message = missing.getMessage();
    assertEquals(1, message.lines().count(), message);
    assertTrue(message.contains("missing or behind (table " + ks.journal() + ".messages and "), message);
    assertTrue(message.contains("run `baton schema apply --cassandra " + cp + "`"), message);

    Run run = apply(ks, "--cassandra", cp);
    assertEquals(0, run.exitCode(), run::toString);
    List<String> lines = run.lines();
    int total = probe.statements().size();
    assertEquals("baton: applying " + total + " schema statements to " + cp, lines.get(0));
    List<String> progress = lines.subList(1, lines.size() - 1);
    assertEquals(IntStream.rangeClosed(1, total).mapToObj(i -> "baton: [" + i + "/" + total + "] ").toList(),
        progress.stream().map(l -> l.substring(0, l.indexOf("] ") + 2)).toList(), "one line per statement, in order");
    assertEquals("baton: [1/" + total + "] CREATE KEYSPACE IF NOT EXISTS " + ks.journal()
        + " WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}", progress.get(0));
    assertTrue(progress.stream().anyMatch(l -> l.endsWith("] CREATE TABLE IF NOT EXISTS " + ks.journal() + ".messages")),
        () -> String.join("\n", progress));
    assertTrue(progress.stream().anyMatch(l -> l.endsWith("] CREATE TABLE IF NOT EXISTS " + ks.data() + ".files"
        + " (id text PRIMARY KEY, purpose text, filename text, bytes bigint, chunks int, created_at timestamp,"
        + " owner text)")), () -> String.join("\n", progress));
    assertEquals("baton: schema is current", lines.get(lines.size() - 1));
    assertEquals(List.of(), probe.missing());
    for (String keyspace : ks.all()) {
      assertEquals(SIMPLE, probe.replication(keyspace).get("class"), keyspace);
    }
  }

  @Test
  void replicationPerDatacenterCreatesNetworkTopologyKeyspaces() throws Exception {
    Keyspaces ks = Keyspaces.fresh();
    Run run = apply(ks, "--cassandra", CassandraTestExtension.cassandra().contactPoint(),
        "--replication", "datacenter1:1", "--datacenter", "datacenter1");
    assertEquals(0, run.exitCode(), run::toString);
    assertTrue(run.lines().stream().anyMatch(l -> l.endsWith("] CREATE KEYSPACE IF NOT EXISTS " + ks.data()
        + " WITH replication = {'class': 'NetworkTopologyStrategy', 'datacenter1': 1}")), run::toString);
    try (Probe probe = new Probe(ks)) {
      for (String keyspace : ks.all()) {
        assertEquals(Map.of("class", NTS, "datacenter1", "1"), probe.replication(keyspace), keyspace);
      }
      assertEquals(List.of(), probe.missing());
    }
  }

  @Test
  void aMalformedReplicationFailsBeforeConnecting() {
    Keyspaces ks = Keyspaces.fresh();
    // Port 1: nothing listens, so reaching Cassandra at all would fail differently.
    Run run = apply(ks, "--cassandra", "127.0.0.1:1", "--replication", "datacenter1");
    assertEquals(1, run.exitCode(), run::toString);
    assertTrue(run.err().contains("replication must read like 'dc1:3,dc2:3' (datacenter:replicas), got 'datacenter1'"),
        run::toString);
    assertFalse(run.lines().stream().anyMatch(l -> l.startsWith("baton: applying")), run::toString);
  }

  private static BatonNode startWithoutDdl(Keyspaces ks) throws Exception {
    Map<String, Object> overrides = new HashMap<>(ks.settings());
    overrides.put("baton.persistence.schema.create-at-start", false);
    return TestNodes.start(TestNodes.nodeId("schema"), overrides);
  }

  /**
   * Runs {@code baton schema apply} in this JVM. The command reads its settings as a real run does
   * (BatonConfig.load), so the keyspace names reach it as system properties, as -D options would.
   */
  private static Run apply(Keyspaces ks, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    StringWriter err = new StringWriter();
    PrintStream stdout = System.out;
    ks.settings().forEach(System::setProperty);
    ConfigFactory.invalidateCaches();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    int code;
    try {
      List<String> argv = new ArrayList<>(List.of("apply"));
      argv.addAll(List.of(args));
      code = new CommandLine(new SchemaCommand()).setErr(new PrintWriter(err, true))
          .execute(argv.toArray(String[]::new));
    } finally {
      System.setOut(stdout);
      ks.settings().keySet().forEach(System::clearProperty);
      ConfigFactory.invalidateCaches();
    }
    String printed = out.toString(StandardCharsets.UTF_8);
    stdout.print(printed);
    // Log lines may share stdout; the command's own lines start with "baton: ".
    return new Run(code, printed.lines().filter(l -> l.startsWith("baton: ")).toList(), err.toString());
  }

  /** A local actor system on the test Cassandra, configured for one keyspace set, to read the schema. */
  private static final class Probe implements AutoCloseable {
    private final ActorSystem system;

    Probe(Keyspaces ks) {
      Map<String, Object> overrides = new HashMap<>(ks.settings());
      overrides.put("pekko.actor.provider", "local");
      system = ActorSystem.create("schema-probe", BatonConfig.load(PersistenceSettings.connectionConfig(
          List.of(CassandraTestExtension.cassandra().contactPoint())).withFallback(ConfigFactory.parseMap(overrides))));
    }

    CassandraSession session() {
      return Schema.session(system);
    }

    List<String> statements() {
      return Schema.statements(system);
    }

    List<String> missing() throws Exception {
      return SchemaCheck.missing(system).toCompletableFuture().get(1, TimeUnit.MINUTES);
    }

    Map<String, String> replication(String keyspace) throws Exception {
      Row row = session().selectOne("SELECT replication FROM system_schema.keyspaces WHERE keyspace_name = ?",
          keyspace).toCompletableFuture().get(30, TimeUnit.SECONDS).orElseThrow();
      return row.getMap("replication", String.class, String.class);
    }

    @Override
    public void close() {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().join();
    }
  }

  private static HttpResponse<String> get(String uri) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(uri)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
