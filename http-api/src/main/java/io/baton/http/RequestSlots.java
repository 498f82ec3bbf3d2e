package io.baton.http;

import io.baton.actors.app.Refusal;
import io.baton.actors.app.SessionService;
import io.baton.actors.app.Tenants;
import io.baton.http.errors.ApiError;
import java.time.Duration;
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
  private final Tenants tenants;
  private final SessionService.Listener listener;
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

  /** @param perKey the limit of every tenant; a tenant's own {@code max-concurrent} may lower it */
  public RequestSlots(int perKey, Tenants tenants, SessionService.Listener listener) {
    this.perKey = perKey;
    this.tenants = tenants;
    this.listener = listener;
  }

  /** A slot for the tenant, or empty when it has none left. */
  public Optional<Slot> acquire(String tenant) {
    AtomicInteger count = open.computeIfAbsent(tenant, t -> new AtomicInteger());
    if (count.incrementAndGet() > limit(tenant)) {
      count.decrementAndGet();
      return Optional.empty();
    }
    return Optional.of(new Slot(tenant));
  }

  /**
   * The 429 for a tenant with no slot left: retry in a second (a request ends any time), and
   * OpenAI's {@code x-ratelimit-*-requests} headers.
   */
  public ApiError refusal(String tenant) {
    int limit = limit(tenant);
    listener.limited(tenant, "requests");
    return ApiError.rateLimited("this API key already has " + limit + " requests open on this node; retry when one"
        + " ends", new Refusal.RateLimit("requests", limit, 0, Duration.ofSeconds(1), Duration.ofSeconds(1)));
  }

  /** Slots the tenant holds now (for tests and the console). */
  public int inUse(String tenant) {
    AtomicInteger count = open.get(tenant);
    return count == null ? 0 : count.get();
  }

  /** The tenant's open requests at most. */
  public int limit(String tenant) {
    int own = tenants.of(tenant).maxConcurrent();
    return own > 0 ? Math.min(own, perKey) : perKey;
  }
}
