package io.baton.workers.engine;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A worker's bounded cache of sealed KV blocks by hash: its simulated GPU memory. Least recently
 * used blocks are evicted first, and every store and eviction is reported to the listener so that
 * placement knows which prefixes live where.
 *
 * <p>Eviction only removes a block from the index: a generation that already holds the page keeps
 * using it, like a pinned block on a real GPU, so eviction never corrupts a running generation.
 *
 * <p>Events are delivered under the cache's lock, so every listener sees a block's Stored before
 * its Evicted. The listener must therefore be quick and must not block (an actor {@code tell} is).
 * The cache may be shared by engines of different models; hashes include the model id.
 */
public final class BlockCache {
  private final int capacityBlocks;
  private final Consumer<KvEvent> listener;
  // Access order turns the map into an LRU list: get() moves an entry to the end.
  private final LinkedHashMap<String, KvPage> blocks = new LinkedHashMap<>(16, 0.75f, true);

  public BlockCache(int capacityBlocks, Consumer<KvEvent> listener) {
    if (capacityBlocks < 0) {
      throw new IllegalArgumentException("capacity must not be negative, was " + capacityBlocks);
    }
    this.capacityBlocks = capacityBlocks;
    this.listener = Objects.requireNonNull(listener);
  }

  /** A cache that reports to nobody. */
  public BlockCache(int capacityBlocks) {
    this(capacityBlocks, event -> {});
  }

  public int capacityBlocks() {
    return capacityBlocks;
  }

  public synchronized int size() {
    return blocks.size();
  }

  /** Whether the block is cached; does not count as a use. */
  public synchronized boolean contains(String hash) {
    return blocks.containsKey(hash);
  }

  /** The cached hashes, least recently used first. */
  public synchronized List<String> hashes() {
    return new ArrayList<>(blocks.keySet());
  }

  /** Drops every block, reporting each as evicted (a GPU reset empties its memory). */
  public synchronized void clear() {
    List<String> dropped = hashes();
    blocks.clear();
    dropped.forEach(hash -> listener.accept(new KvEvent.Evicted(hash)));
  }

  /** The block, marked as most recently used. */
  synchronized Optional<KvPage> lookup(String hash) {
    return Optional.ofNullable(blocks.get(hash));
  }

  /**
   * Caches a sealed page. A hash already cached keeps its first page (the two are equal by
   * construction) and only counts as a use, so no second Stored event is sent.
   */
  synchronized void put(String hash, KvPage page) {
    if (capacityBlocks == 0) {
      return;
    }
    if (blocks.get(hash) != null) {
      return;
    }
    blocks.put(hash, page);
    listener.accept(new KvEvent.Stored(hash));
    var oldest = blocks.entrySet().iterator();
    while (blocks.size() > capacityBlocks) {
      String evicted = oldest.next().getKey();
      oldest.remove();
      listener.accept(new KvEvent.Evicted(evicted));
    }
  }
}
