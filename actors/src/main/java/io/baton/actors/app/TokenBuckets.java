package io.baton.actors.app;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Tokens per minute per tenant on this node: a bucket of {@code tokens-per-minute} refilled
 * continuously, from which each admitted request takes its prompt plus its output bound. A request
 * the bucket cannot cover takes nothing and learns when it could.
 */
public final class TokenBuckets {
  /** What the bucket says: taken, or not and when it would be. */
  public record Draw(boolean taken, long limit, long remaining, Duration untilEnough, Duration untilFull) {}

  private final Tenants tenants;
  private final LongSupplier nanoClock;
  private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

  /** Mutable; touched only under its own lock. */
  private static final class Bucket {
    private double tokens;
    private long at;

    Bucket(double tokens, long at) {
      this.tokens = tokens;
      this.at = at;
    }
  }

  /** @param nanoClock {@link System#nanoTime} in a node; a test's own clock in tests */
  public TokenBuckets(Tenants tenants, LongSupplier nanoClock) {
    this.tenants = tenants;
    this.nanoClock = nanoClock;
  }

  /** Takes {@code cost} tokens from the tenant's bucket if it holds them; an unlimited tenant always may. */
  public Draw draw(String tenant, long cost) {
    long limit = tenants.of(tenant).tokensPerMinute();
    if (limit == 0) {
      return new Draw(true, 0, 0, Duration.ZERO, Duration.ZERO);
    }
    Bucket b = buckets.computeIfAbsent(tenant, t -> new Bucket(limit, nanoClock.getAsLong()));
    synchronized (b) {
      // Read under the lock, so a draw never moves the bucket's time backwards.
      long now = nanoClock.getAsLong();
      double perNano = limit / 60e9;
      b.tokens = Math.min(limit, b.tokens + (now - b.at) * perNano);
      b.at = now;
      boolean taken = cost <= b.tokens;
      if (taken) {
        b.tokens -= cost;
      }
      Duration untilEnough = taken ? Duration.ZERO : Duration.ofNanos((long) Math.ceil((cost - b.tokens) / perNano));
      Duration untilFull = Duration.ofNanos((long) Math.ceil((limit - b.tokens) / perNano));
      return new Draw(taken, limit, (long) Math.floor(b.tokens), untilEnough, untilFull);
    }
  }

  /** Gives back what a draw took for a request that was then not submitted. */
  public void refund(String tenant, long cost) {
    Bucket b = buckets.get(tenant);
    if (b != null) {
      long limit = tenants.of(tenant).tokensPerMinute();
      synchronized (b) {
        b.tokens = Math.min(limit, b.tokens + cost);
      }
    }
  }

  /** Tokens the tenant could draw now, or -1 when it is unlimited. */
  public long remaining(String tenant) {
    long limit = tenants.of(tenant).tokensPerMinute();
    return limit == 0 ? -1 : draw(tenant, 0).remaining();
  }
}
