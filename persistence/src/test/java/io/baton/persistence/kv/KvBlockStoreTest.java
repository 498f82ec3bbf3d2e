package io.baton.persistence.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import com.typesafe.config.ConfigFactory;
import io.baton.persistence.PersistenceSettings;
import io.baton.persistence.testing.CassandraTestExtension;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(CassandraTestExtension.class)
class KvBlockStoreTest {
  private static final String MODEL = "test-model";
  // Small batches, so a handful of hashes already spans several reads.
  private static final int READ_BATCH = 4;

  private static CqlSession session;
  private static PersistenceSettings settings;
  private static KvBlockStore store;

  @BeforeAll
  static void connect() {
    settings =
        PersistenceSettings.fromConfig(
            ConfigFactory.parseString("baton.persistence.kv-blocks.read-batch-size = " + READ_BATCH)
                .withFallback(CassandraTestExtension.config()));
    session =
        CqlSession.builder()
            .addContactPoint(new InetSocketAddress("127.0.0.1", CassandraTestExtension.cassandra().nativePort()))
            .withLocalDatacenter(settings.localDatacenter())
            .build();
    store = new KvBlockStore(session, settings);
  }

  @AfterAll
  static void close() {
    if (session != null) {
      session.close();
    }
  }

  @Test
  void writtenBlocksReadBackEqual() {
    List<StoredBlock> chain = chain(3);
    await(store.putAll(MODEL, chain));
    Map<String, StoredBlock> read = await(store.getAll(MODEL, hashes(chain)));
    assertEquals(3, read.size());
    chain.forEach(b -> assertEquals(b, read.get(b.hash())));
  }

  @Test
  void sharedPrefixIsStoredOnce() {
    List<StoredBlock> prefix = chain(2);
    // Two sessions with the same system prompt checkpoint the same blocks.
    await(store.putAll(MODEL, prefix));
    await(store.putAll(MODEL, prefix));
    for (StoredBlock b : prefix) {
      long rows =
          session
              .execute(
                  "SELECT COUNT(*) FROM " + KvBlockSchema.table(settings) + " WHERE model = ? AND hash = ?",
                  MODEL,
                  b.hash())
              .one()
              .getLong(0);
      assertEquals(1, rows, b.hash());
    }
    assertEquals(prefix.get(1), await(store.getAll(MODEL, hashes(prefix))).get(prefix.get(1).hash()));
  }

  @Test
  void missingHashesAreAbsent() {
    List<StoredBlock> chain = chain(1);
    await(store.putAll(MODEL, chain));
    String missing = UUID.randomUUID().toString();
    Map<String, StoredBlock> read = await(store.getAll(MODEL, List.of(chain.get(0).hash(), missing)));
    assertEquals(1, read.size());
    assertTrue(read.containsKey(chain.get(0).hash()));
    // The same hash under another model is another block.
    assertTrue(await(store.getAll("other-model", hashes(chain))).isEmpty());
  }

  @Test
  void readsMoreHashesThanOneBatch() {
    List<StoredBlock> chain = chain(READ_BATCH * 2 + 3);
    await(store.putAll(MODEL, chain));
    List<String> asked = new ArrayList<>(hashes(chain));
    asked.add(3, UUID.randomUUID().toString());
    Map<String, StoredBlock> read = await(store.getAll(MODEL, asked));
    assertEquals(chain.size(), read.size());
    chain.forEach(b -> assertEquals(b, read.get(b.hash())));
  }

  @Test
  void everyWriteGetsTheConfiguredTtl() {
    List<StoredBlock> chain = chain(1);
    await(store.putAll(MODEL, chain));
    Integer ttl =
        session
            .execute(
                "SELECT TTL(payload) FROM " + KvBlockSchema.table(settings) + " WHERE model = ? AND hash = ?",
                MODEL,
                chain.get(0).hash())
            .one()
            .get(0, Integer.class);
    assertTrue(ttl != null && ttl > 0 && ttl <= settings.kvBlocks().ttlSeconds(), "ttl " + ttl);
  }

  @Test
  void longestStoredPrefixStopsAtTheFirstGap() {
    List<StoredBlock> chain = chain(READ_BATCH * 2 + 2);
    int gap = READ_BATCH + 1;
    List<StoredBlock> stored = new ArrayList<>(chain);
    stored.remove(gap);
    await(store.putAll(MODEL, stored));
    assertEquals(gap, await(store.longestStoredPrefix(MODEL, hashes(chain))));
    assertEquals(gap, await(store.longestStoredPrefix(MODEL, hashes(chain.subList(0, gap)))));
    assertEquals(0, await(store.longestStoredPrefix(MODEL, List.of(UUID.randomUUID().toString()))));
    assertEquals(0, await(store.longestStoredPrefix(MODEL, List.of())));
  }

  /** A chain of blocks with fresh hashes, so tests never see each other's rows. */
  private static List<StoredBlock> chain(int length) {
    List<StoredBlock> chain = new ArrayList<>();
    String parent = null;
    for (int i = 0; i < length; i++) {
      String hash = UUID.randomUUID().toString();
      byte[] payload = new byte[64];
      for (int j = 0; j < payload.length; j++) {
        payload[j] = (byte) (i * 31 + j);
      }
      chain.add(new StoredBlock(hash, parent, List.of(i, i + 1, i + 2, i + 3), payload));
      parent = hash;
    }
    return chain;
  }

  private static List<String> hashes(List<StoredBlock> blocks) {
    return blocks.stream().map(StoredBlock::hash).toList();
  }

  private static <T> T await(CompletionStage<T> stage) {
    try {
      return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
