package io.baton.persistence.kv;

import com.datastax.oss.driver.api.core.ConsistencyLevel;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import io.baton.persistence.PersistenceSettings;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.Done;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;

/**
 * The content-addressed KV block store: a cluster-wide prompt cache that sessions sharing a prefix
 * share. A block's hash names its content, so a block is written once per content, whoever writes it.
 *
 * <p>Writes are plain {@code INSERT ... USING TTL}, not {@code IF NOT EXISTS}: rewriting a row with
 * identical content changes nothing but its expiry (which a reused prefix should get anyway), while a
 * lightweight transaction costs four round trips of Paxos per block. Reads and writes use
 * LOCAL_QUORUM, so a block whose write was acknowledged (before its {@code KvCheckpointed} event is
 * persisted) is visible to a restore on any node, whatever the replication factor.
 */
public final class KvBlockStore {
  private static final ConsistencyLevel CONSISTENCY = ConsistencyLevel.LOCAL_QUORUM;

  private final CqlSession session;
  private final PersistenceSettings.KvBlocks settings;
  private final PreparedStatement insert;
  private final PreparedStatement select;

  public KvBlockStore(CqlSession session, PersistenceSettings settings) {
    this.session = session;
    this.settings = settings.kvBlocks();
    String table = KvBlockSchema.table(settings);
    this.insert =
        session.prepare(
            "INSERT INTO " + table + " (model, hash, parent_hash, tokens, payload) VALUES (?, ?, ?, ?, ?) USING TTL ?");
    this.select =
        session.prepare("SELECT hash, parent_hash, tokens, payload FROM " + table + " WHERE model = ? AND hash IN ?");
  }

  /** A store on the session that Pekko's Cassandra plugin shares (see {@code Schema.session}). */
  public static CompletionStage<KvBlockStore> create(CassandraSession session, PersistenceSettings settings) {
    return session.underlying().thenApply(cql -> new KvBlockStore(cql, settings));
  }

  /** Writes every block, at most write-parallelism at a time; completes when all are acknowledged. */
  public CompletionStage<Done> putAll(String model, List<StoredBlock> blocks) {
    List<BoundStatement> writes = new ArrayList<>(blocks.size());
    for (StoredBlock b : blocks) {
      writes.add(
          insert
              .bind(model, b.hash(), b.parentHash(), b.tokens(), ByteBuffer.wrap(b.payload()), settings.ttlSeconds())
              .setConsistencyLevel(CONSISTENCY));
    }
    CompletableFuture<Done> all = new CompletableFuture<>();
    if (writes.isEmpty()) {
      all.complete(Done.getInstance());
      return all;
    }
    AtomicInteger next = new AtomicInteger();
    AtomicInteger pending = new AtomicInteger(writes.size());
    for (int i = 0; i < Math.min(settings.writeParallelism(), writes.size()); i++) {
      writeNext(writes, next, pending, all);
    }
    return all;
  }

  private void writeNext(
      List<BoundStatement> writes, AtomicInteger next, AtomicInteger pending, CompletableFuture<Done> all) {
    int i = next.getAndIncrement();
    if (i >= writes.size() || all.isDone()) {
      return;
    }
    session
        .executeAsync(writes.get(i))
        .whenComplete(
            (rs, error) -> {
              if (error != null) {
                all.completeExceptionally(error);
              } else if (pending.decrementAndGet() == 0) {
                all.complete(Done.getInstance());
              } else {
                writeNext(writes, next, pending, all);
              }
            });
  }

  /** The stored blocks among {@code hashes}, by hash; a missing (or expired) block is simply absent. */
  public CompletionStage<Map<String, StoredBlock>> getAll(String model, List<String> hashes) {
    List<String> distinct = List.copyOf(new LinkedHashSet<>(hashes));
    List<CompletableFuture<List<StoredBlock>>> reads = new ArrayList<>();
    for (List<String> group : groups(distinct)) {
      reads.add(readGroup(model, group).toCompletableFuture());
    }
    return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new))
        .thenApply(
            done -> {
              Map<String, StoredBlock> found = new HashMap<>();
              reads.forEach(r -> r.join().forEach(b -> found.put(b.hash(), b)));
              return Map.copyOf(found);
            });
  }

  /**
   * How many leading blocks of a chain are stored. Groups are read in order and reading stops at the
   * first group with a gap, so a long chain with a short stored prefix costs one or two reads.
   */
  public CompletionStage<Integer> longestStoredPrefix(String model, List<String> chainHashes) {
    return prefixFrom(model, groups(chainHashes), 0, 0);
  }

  private CompletionStage<Integer> prefixFrom(String model, List<List<String>> groups, int index, int counted) {
    if (index == groups.size()) {
      return CompletableFuture.completedFuture(counted);
    }
    List<String> group = groups.get(index);
    return readGroup(model, List.copyOf(new LinkedHashSet<>(group)))
        .thenCompose(
            blocks -> {
              Set<String> present = new HashSet<>();
              blocks.forEach(b -> present.add(b.hash()));
              int run = 0;
              while (run < group.size() && present.contains(group.get(run))) {
                run++;
              }
              return run < group.size()
                  ? CompletableFuture.completedFuture(counted + run)
                  : prefixFrom(model, groups, index + 1, counted + run);
            });
  }

  private CompletionStage<List<StoredBlock>> readGroup(String model, List<String> hashes) {
    BoundStatement read = select.bind(model, hashes).setConsistencyLevel(CONSISTENCY);
    List<StoredBlock> found = new ArrayList<>();
    return session.executeAsync(read).thenCompose(rs -> collect(rs, found));
  }

  private static CompletionStage<List<StoredBlock>> collect(AsyncResultSet page, List<StoredBlock> found) {
    for (Row row : page.currentPage()) {
      found.add(toBlock(row));
    }
    return page.hasMorePages()
        ? page.fetchNextPage().thenCompose(p -> collect(p, found))
        : CompletableFuture.completedFuture(found);
  }

  private static StoredBlock toBlock(Row row) {
    ByteBuffer buffer = row.getByteBuffer("payload");
    byte[] payload = new byte[buffer == null ? 0 : buffer.remaining()];
    if (buffer != null) {
      buffer.duplicate().get(payload);
    }
    return new StoredBlock(
        row.getString("hash"), row.getString("parent_hash"), row.getList("tokens", Integer.class), payload);
  }

  private List<List<String>> groups(List<String> hashes) {
    List<List<String>> groups = new ArrayList<>();
    for (int from = 0; from < hashes.size(); from += settings.readBatchSize()) {
      groups.add(hashes.subList(from, Math.min(hashes.size(), from + settings.readBatchSize())));
    }
    return groups;
  }
}
