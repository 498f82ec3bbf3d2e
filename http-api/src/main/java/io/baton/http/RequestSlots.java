package io.baton.http;

import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Open requests per API key (tenant), streaming or not, resumed streams included: one key cannot
 * hold all of a node's connections. A slot is taken only once a request is admitted (checked and
 * about to be submitted), and released exactly once on whichever path ends it, so refused requests
 * never lock a tenant out. Over the limit, a request is answered 429 and nothing is persisted.
 */
public final class RequestSlots {
  private final int perKey;
  private final ConcurrentHashMap<String, AtomicInteger> open = new ConcurrentHashMap<>();

  /** One admitted request's slot; releasing it twice gives back one slot. */
  public final class Slot {
    private final String tenant;
    private final AtomicBoolean released = new AtomicBoolean();

    private Slot(String tenant) {
      this.tenant = tenant;
    }

    public void release() {
      if (released.compareAndSet(false, true)) {
        open.get(tenant).decrementAndGet();
      }
    }
  }

  public RequestSlots(int perKey) {
    this.perKey = perKey;
  }

  /** A slot for the tenant, or empty when it has none left. */
  public Optional<Slot> acquire(String tenant) {
    AtomicInteger count = open.computeIfAbsent(tenant, t -> new AtomicInteger());
    if (count.incrementAndGet() > perKey) {
      count.decrementAndGet();
      return Optional.empty();
    }
    return Optional.of(new Slot(tenant));
  }

  /** Slots the tenant holds now (for tests and the console). */
  public int inUse(String tenant) {
    AtomicInteger count = open.get(tenant);
    return count == null ? 0 : count.get();
  }

  public int limit() {
    return perKey;
  }
}
