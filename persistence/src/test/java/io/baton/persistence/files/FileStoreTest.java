package io.baton.persistence.files;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.ConsistencyLevel;
import com.datastax.oss.driver.api.core.CqlSession;
import io.baton.persistence.PersistenceSettings;
import io.baton.persistence.testing.CassandraTestExtension;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Files streamed into Cassandra in chunks come back byte for byte, are listed, and are deleted. */
@ExtendWith(CassandraTestExtension.class)
class FileStoreTest {
  private static CqlSession session;
  private static FileStore store;
  private static ActorSystem system;
  private static Materializer materializer;

  @BeforeAll
  static void connect() {
    PersistenceSettings settings = PersistenceSettings.fromConfig(CassandraTestExtension.config());
    session = CqlSession.builder()
        .addContactPoint(new InetSocketAddress("127.0.0.1", CassandraTestExtension.cassandra().nativePort()))
        .withLocalDatacenter(settings.localDatacenter())
        .build();
    store = new FileStore(session, settings);
    system = ActorSystem.create("files");
    materializer = Materializer.matFromSystem(system);
  }

  @AfterAll
  static void close() {
    session.close();
    system.terminate();
  }

  static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  @Test
  void everyStatementUsesALocalQuorum() {
    assertEquals(Set.of(ConsistencyLevel.LOCAL_QUORUM), Set.copyOf(store.consistencies()));
  }

  @Test
  void aFileOfSeveralChunksArrivingInOddPiecesReadsBackExactly() throws Exception {
    byte[] bytes = new byte[4 * FileStore.CHUNK_BYTES + 123];
    new Random(7).nextBytes(bytes);
    // Upload pieces of odd sizes, as a multipart body arrives.
    List<ByteString> pieces = new ArrayList<>();
    for (int at = 0; at < bytes.length; at += 70_001) {
      pieces.add(ByteString.fromArray(bytes, at, Math.min(70_001, bytes.length - at)));
    }
    String id = "file-" + UUID.randomUUID();
    FileMeta meta = await(store.put(id, "batch", "in.jsonl", "alice", Source.from(pieces), materializer));
    assertEquals(bytes.length, meta.bytes());
    assertEquals(5, meta.chunks());
    assertEquals(meta, await(store.get(id)).orElseThrow());
    ByteString back = await(store.content(meta).runWith(Sink.fold(ByteString.emptyByteString(), ByteString::concat),
        materializer));
    assertArrayEquals(bytes, back.toArray());
    assertTrue(await(store.list("alice")).stream().anyMatch(f -> f.id().equals(id)));
    assertTrue(await(store.list("bob")).stream().noneMatch(f -> f.id().equals(id)), "another tenant's listing");
    await(store.delete(meta, materializer));
    assertTrue(await(store.get(id)).isEmpty());
    assertTrue(await(store.list("alice")).stream().noneMatch(f -> f.id().equals(id)));
  }

  @Test
  void anEmptyFileHasNoChunks() throws Exception {
    String id = "file-" + UUID.randomUUID();
    FileMeta meta = await(store.put(id, "batch", "empty.jsonl", "alice", Source.empty(), materializer));
    assertEquals(0, meta.bytes());
    assertEquals(0, meta.chunks());
    assertEquals(0, await(store.content(meta).runWith(Sink.seq(), materializer)).size());
  }
}
