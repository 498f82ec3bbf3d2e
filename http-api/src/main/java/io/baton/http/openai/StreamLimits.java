package io.baton.http.openai;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Open requests per API key (tenant), streaming or not: one key cannot hold all of a node's
 * connections. Over the limit, a request is answered 429 with Retry-After and nothing is persisted.
 */
final class StreamLimits {
  private final int perKey;
  private final ConcurrentHashMap<String, AtomicInteger> open = new ConcurrentHashMap<>();

  StreamLimits(int perKey) {
    this.perKey = perKey;
  }

  /** Takes a slot for the tenant, or returns false when it has none left. */
  boolean acquire(String tenant) {
    AtomicInteger count = open.computeIfAbsent(tenant, t -> new AtomicInteger());
    if (count.incrementAndGet() > perKey) {
      count.decrementAndGet();
      return false;
    }
    return true;
  }

  void release(String tenant) {
    AtomicInteger count = open.get(tenant);
    if (count != null) {
      count.decrementAndGet();
    }
  }

  int limit() {
    return perKey;
  }
}
