package io.baton.persistence.files;

import com.datastax.oss.driver.api.core.ConsistencyLevel;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import io.baton.persistence.PersistenceSettings;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;

/**
 * Batch input and output files in Cassandra, streamed in and out in chunks so that a 100 MB file
 * never sits whole in memory: at most {@link #WRITE_PARALLELISM} chunks are in flight either way.
 * Writing the same id again with the same bytes is harmless, which keeps a batch's output
 * idempotent when its driver restarts.
 */
public final class FileStore {
  /** 256 KiB: well under Cassandra's comfortable cell size, few enough rows for a big file. */
  public static final int CHUNK_BYTES = 256 * 1024;
  private static final ConsistencyLevel CONSISTENCY = ConsistencyLevel.LOCAL_QUORUM;
  static final int WRITE_PARALLELISM = 4;

  private final CqlSession session;
  private final PreparedStatement insertChunk;
  private final PreparedStatement selectChunk;
  private final PreparedStatement insertFile;
  private final PreparedStatement selectFile;
  private final PreparedStatement deleteFile;
  private final PreparedStatement deleteChunk;
  private final String filesTable;
  private final PreparedStatement insertBatch;
  private final PreparedStatement selectBatches;

  public FileStore(CqlSession session, PersistenceSettings settings) {
    this.session = session;
    this.filesTable = FileSchema.files(settings);
    String chunks = FileSchema.chunks(settings);
    this.insertChunk = prepare("INSERT INTO " + chunks + " (file_id, chunk, data) VALUES (?, ?, ?)");
    this.selectChunk = prepare("SELECT data FROM " + chunks + " WHERE file_id = ? AND chunk = ?");
    this.deleteChunk = prepare("DELETE FROM " + chunks + " WHERE file_id = ? AND chunk = ?");
    this.insertFile = prepare("INSERT INTO " + filesTable
        + " (id, purpose, filename, bytes, chunks, created_at, owner) VALUES (?, ?, ?, ?, ?, ?, ?)");
    this.selectFile = prepare("SELECT * FROM " + filesTable + " WHERE id = ?");
    this.deleteFile = prepare("DELETE FROM " + filesTable + " WHERE id = ?");
    String index = FileSchema.batchIndex(settings);
    this.insertBatch = prepare("INSERT INTO " + index + " (bucket, created_at, id, tenant) VALUES (0, ?, ?, ?)");
    this.selectBatches = prepare("SELECT id, tenant FROM " + index + " WHERE bucket = 0 LIMIT 10000");
  }

  /**
   * Every file statement reads and writes a quorum of local replicas, as KV blocks do: with a
   * replication factor above 1, a file listed after its upload is readable on every node, and one
   * replica down loses nothing. With one replica it is that replica.
   */
  private PreparedStatement prepare(String cql) {
    return session.prepare(SimpleStatement.builder(cql).setConsistencyLevel(CONSISTENCY).build());
  }

  /** The consistency each prepared statement binds with (for the test that keeps them all at a quorum). */
  List<ConsistencyLevel> consistencies() {
    return List.of(insertChunk, selectChunk, deleteChunk, insertFile, selectFile, deleteFile, insertBatch, selectBatches)
        .stream().map(p -> p.bind().getConsistencyLevel()).toList();
  }

  public static CompletionStage<FileStore> create(CassandraSession session, PersistenceSettings settings) {
    return session.underlying().thenApply(cql -> new FileStore(cql, settings));
  }

  /** How much of a file {@link #writeChunks} stored. */
  public record Written(long bytes, int chunks) {}

  /** Stores the bytes as {@code owner}'s file {@code id}; the file is visible only once all of it is stored. */
  public CompletionStage<FileMeta> put(String id, String purpose, String filename, String owner,
      Source<ByteString, ?> data, Materializer materializer) {
    return writeChunks(id, data, Long.MAX_VALUE, materializer).thenCompose(w -> publish(id, purpose, filename, owner, w));
  }

  /** An upload grew past what its tenant may still store; its chunks are already removed. */
  public static final class OverQuota extends RuntimeException {
    public OverQuota(long limit) {
      super("the upload exceeds the " + limit + " bytes this API key may still store");
    }
  }

  /**
   * Stores the bytes without listing the file yet: {@link #publish} does that once all is known.
   * At most {@code maxBytes} are taken ({@link OverQuota} past that). A write that fails for any
   * reason (the client went away, the quota, Cassandra) removes what it stored before it fails, so
   * nothing is left behind.
   */
  public CompletionStage<Written> writeChunks(String id, Source<ByteString, ?> data, long maxBytes,
      Materializer materializer) {
    AtomicLong bytes = new AtomicLong();
    AtomicInteger chunks = new AtomicInteger();
    return data
        .via(Rechunk.to(CHUNK_BYTES))
        .map(chunk -> {
          if (bytes.addAndGet(chunk.size()) > maxBytes) {
            throw new OverQuota(maxBytes);
          }
          return new Object[] {chunks.getAndIncrement(), chunk};
        })
        .mapAsync(WRITE_PARALLELISM, c -> session.executeAsync(insertChunk.bind(id, (Integer) c[0],
            ((ByteString) c[1]).asByteBuffer())))
        .runWith(Sink.ignore(), materializer)
        .handle((done, error) -> error == null
            ? CompletableFuture.completedFuture(new Written(bytes.get(), chunks.get()))
            : deleteChunks(id, chunks.get(), materializer).<Written>thenCompose(d -> CompletableFuture.failedFuture(error)))
        .thenCompose(next -> next);
  }

  /** Removes chunks 0 to {@code count - 1} of a file that was never listed (a refused upload). */
  public CompletionStage<Done> deleteChunks(String id, int count, Materializer materializer) {
    return Source.range(0, Math.max(0, count - 1)).take(count)
        .mapAsync(WRITE_PARALLELISM, chunk -> session.executeAsync(deleteChunk.bind(id, chunk)))
        .runWith(Sink.ignore(), materializer);
  }

  /** Lists a file whose chunks are written, as {@code owner}'s. */
  public CompletionStage<FileMeta> publish(String id, String purpose, String filename, String owner, Written written) {
    // Cassandra keeps milliseconds; truncate so the returned meta equals what a read gives.
    FileMeta meta = new FileMeta(id, purpose, filename, written.bytes(), written.chunks(),
        Instant.now().truncatedTo(ChronoUnit.MILLIS), owner);
    return session.executeAsync(insertFile.bind(id, purpose, filename, meta.bytes(), meta.chunks(), meta.createdAt(),
        owner)).thenApply(rs -> meta);
  }

  public CompletionStage<Optional<FileMeta>> get(String id) {
    return session.executeAsync(selectFile.bind(id)).thenApply(rs -> Optional.ofNullable(rs.one()).map(FileStore::meta));
  }

  /** Every file of {@code owner}, newest first. The table is small (batch files); a listing scans it. */
  public CompletionStage<List<FileMeta>> list(String owner) {
    SimpleStatement scan = SimpleStatement.builder("SELECT * FROM " + filesTable).setConsistencyLevel(CONSISTENCY).build();
    return session.executeAsync(scan).thenCompose(rs -> {
      List<FileMeta> all = new ArrayList<>();
      return collect(rs, all);
    }).thenApply(all -> all.stream().filter(f -> f.owner().equals(owner)).toList());
  }

  private CompletionStage<List<FileMeta>> collect(
      com.datastax.oss.driver.api.core.cql.AsyncResultSet rs, List<FileMeta> into) {
    rs.currentPage().forEach(row -> into.add(meta(row)));
    if (rs.hasMorePages()) {
      return rs.fetchNextPage().thenCompose(next -> collect(next, into));
    }
    into.sort((a, b) -> b.createdAt().compareTo(a.createdAt()));
    return CompletableFuture.completedFuture(into);
  }

  /** The file's bytes, chunk by chunk, read a few chunks ahead. */
  public Source<ByteString, NotUsed> content(FileMeta file) {
    return Source.range(0, file.chunks() - 1)
        .mapAsync(WRITE_PARALLELISM, chunk -> session.executeAsync(selectChunk.bind(file.id(), chunk)).thenApply(rs -> {
          Row row = rs.one();
          if (row == null) {
            throw new IllegalStateException("file " + file.id() + " lost chunk " + chunk);
          }
          ByteBuffer data = row.getByteBuffer("data");
          return ByteString.fromByteBuffer(data);
        }));
  }

  /** Removes the file's listing first, so a half-deleted file is never served. */
  public CompletionStage<Done> delete(FileMeta file, Materializer materializer) {
    return session.executeAsync(deleteFile.bind(file.id())).thenCompose(rs -> Source.range(0, Math.max(0, file.chunks() - 1))
        .take(file.chunks())
        .mapAsync(WRITE_PARALLELISM, chunk -> session.executeAsync(deleteChunk.bind(file.id(), chunk)))
        .runWith(Sink.ignore(), materializer));
  }

  /** Records {@code tenant}'s batch for listing; kept beside the files it reads and writes. */
  public CompletionStage<Done> indexBatch(String batchId, Instant createdAt, String tenant) {
    return session.executeAsync(insertBatch.bind(createdAt, batchId, tenant)).thenApply(rs -> Done.getInstance());
  }

  /** Up to {@code limit} of {@code tenant}'s batch ids, newest first, after {@code afterId} when given. */
  public CompletionStage<List<String>> batchIds(String tenant, String afterId, int limit) {
    return session.executeAsync(selectBatches.bind()).thenApply(rs -> {
      List<String> ids = new ArrayList<>();
      boolean started = afterId == null;
      for (Row row : rs.currentPage()) {
        String id = row.getString("id");
        String owner = row.getString("tenant");
        if (!tenant.equals(owner == null ? FileMeta.DEFAULT_OWNER : owner)) {
          continue;
        }
        if (started && ids.size() < limit) {
          ids.add(id);
        }
        started = started || id.equals(afterId);
      }
      return ids;
    });
  }

  private static FileMeta meta(Row row) {
    String owner = row.getString("owner");
    return new FileMeta(row.getString("id"), row.getString("purpose"), row.getString("filename"),
        row.getLong("bytes"), row.getInt("chunks"), row.getInstant("created_at"),
        owner == null ? FileMeta.DEFAULT_OWNER : owner);
  }
}
