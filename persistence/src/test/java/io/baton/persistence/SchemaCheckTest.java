package io.baton.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.ActorSystem;
import org.junit.jupiter.api.Test;

/**
 * The schema check reads the expected tables and columns from the DDL itself, so every statement
 * shape Baton and pekko-persistence-cassandra write must parse to exactly its column names.
 */
class SchemaCheckTest {

  @Test
  void aCompositePartitionKeyClauseIsNotAColumn() {
    assertEquals(List.of("persistence_id", "partition_nr", "sequence_nr", "tags"), SchemaCheck.columns(
        "persistence_id text, partition_nr bigint, sequence_nr bigint, tags set<text>,"
            + " PRIMARY KEY ((persistence_id, partition_nr), sequence_nr))"));
  }

  @Test
  void commasInsideCollectionTypesDoNotSplitAColumn() {
    assertEquals(List.of("id", "properties", "shape", "tokens"), SchemaCheck.columns(
        "id text PRIMARY KEY, properties map<text, text>, shape frozen<list<int>>, tokens list<int>)"));
    assertEquals(List.of("a", "nested"), SchemaCheck.columns(
        "a int PRIMARY KEY, nested map<text, frozen<map<int, text>>>)"));
  }

  @Test
  void anInlinePrimaryKeyKeepsItsColumn() {
    assertEquals(List.of("persistence_id"), SchemaCheck.columns("\n  persistence_id text PRIMARY KEY)"));
  }

  @Test
  void theBodyEndsAtItsClosingParenthesisWhateverTheWithClauseHolds() {
    assertEquals(List.of("bucket", "created_at", "id"), SchemaCheck.columns(
        "bucket int, created_at timestamp, id text, PRIMARY KEY (bucket, created_at, id))"
            + " WITH CLUSTERING ORDER BY (created_at DESC, id ASC) AND compaction = {'class' : 'X', 'a' : 1}"));
  }

  @Test
  void namesAreLowerCasedAsCassandraStoresUnquotedNames() {
    assertEquals(List.of("model", "hash"), SchemaCheck.columns("Model TEXT, HASH text, PRIMARY KEY ((Model, HASH)))"));
  }

  @Test
  void createTableStatementsNameTheTablesInDdlOrderAndLowerCase() {
    Map<String, List<String>> expected = SchemaCheck.expected(List.of(
        "CREATE KEYSPACE IF NOT EXISTS ks WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}",
        "CREATE TABLE IF NOT EXISTS Ks.Files (id text PRIMARY KEY, filename text)",
        "create table if not exists ks.progress(\n  pid text,\n  seq bigint,\n  PRIMARY KEY (pid))",
        "ALTER TABLE ks.files ADD IF NOT EXISTS filename text"));
    assertEquals(List.of("ks.files", "ks.progress"), List.copyOf(expected.keySet()), "in DDL order");
    assertEquals(List.of("id", "filename"), expected.get("ks.files"));
    assertEquals(List.of("pid", "seq"), expected.get("ks.progress"));
  }

  /** The real statement list: a local actor system builds it from config, without Cassandra. */
  @Test
  void everyTableOfTheShippedSchemaParsesToItsColumns() {
    ActorSystem system = ActorSystem.create("schema-check-test",
        BatonConfig.load(ConfigFactory.parseString("pekko.actor.provider = local")));
    try {
      Map<String, List<String>> expected = SchemaCheck.expected(Schema.statements(system));
      assertEquals(List.of("baton_journal.messages", "baton_journal.tag_views", "baton_journal.tag_write_progress",
          "baton_journal.tag_scanning", "baton_journal.metadata", "baton_journal.all_persistence_ids",
          "baton_snapshot.snapshots", "baton.kv_blocks", "baton.files", "baton.file_chunks", "baton.batch_index"),
          List.copyOf(expected.keySet()));
      assertEquals(List.of("persistence_id", "partition_nr", "sequence_nr", "timestamp", "timebucket", "writer_uuid",
          "ser_id", "ser_manifest", "event_manifest", "event", "meta_ser_id", "meta_ser_manifest", "meta", "tags"),
          expected.get("baton_journal.messages"));
      assertEquals(List.of("persistence_id", "deleted_to", "properties"), expected.get("baton_journal.metadata"));
      assertEquals(List.of("persistence_id"), expected.get("baton_journal.all_persistence_ids"));
      assertEquals(List.of("id", "purpose", "filename", "bytes", "chunks", "created_at", "owner"),
          expected.get("baton.files"));
      assertEquals(List.of("model", "hash", "parent_hash", "tokens", "payload"), expected.get("baton.kv_blocks"));
      expected.forEach((table, columns) -> assertTrue(columns.stream().allMatch(c -> c.matches("[a-z_]+")),
          () -> table + " parsed to " + columns));
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().join();
    }
  }

  @Test
  void aColumnAddedByAlterTableIsExpectedToo() {
    assertEquals(List.of("bucket", "id", "tenant"), SchemaCheck.expected(List.of(
        "CREATE TABLE IF NOT EXISTS ks.batch_index (bucket int, id text, PRIMARY KEY (bucket, id))",
        "ALTER TABLE ks.batch_index ADD IF NOT EXISTS tenant text")).get("ks.batch_index"));
  }
}
