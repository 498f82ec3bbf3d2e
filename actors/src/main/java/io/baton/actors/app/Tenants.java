package io.baton.actors.app;

import com.typesafe.config.Config;
import io.baton.actors.session.ServiceClass;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The tenants that share the fleet, from {@code baton.tenants}: each one's weight, highest class
 * and limits. A tenant without an entry of its own takes {@code defaults}; an entry falls back to
 * {@code defaults} for what it leaves out. Read once at start; a bad entry stops the node, named.
 */
public record Tenants(Map<String, Tenant> configured, Tenant defaults) {

  /**
   * @param maxConcurrent requests open at once on one node; 0: no tenant limit
   * @param tokensPerMinute prompt plus max output tokens admitted per minute on one node; 0: unlimited
   * @param maxQueued requests of the tenant waiting in one model's admission queue (cluster-wide)
   *     beyond which a new client request is refused; 0: unlimited
   */
  public record Tenant(String name, double weight, ServiceClass serviceClass, int maxConcurrent,
      long tokensPerMinute, int maxQueued) {
    public Tenant(String name, double weight, ServiceClass serviceClass, int maxConcurrent, long tokensPerMinute) {
      this(name, weight, serviceClass, maxConcurrent, tokensPerMinute, 0);
    }

    public Tenant {
      if (!(weight > 0) || maxConcurrent < 0 || tokensPerMinute < 0 || maxQueued < 0) {
        throw new IllegalArgumentException("baton.tenants." + name + ": weight must be above 0 and limits 0 or more"
            + " (weight " + weight + ", max-concurrent " + maxConcurrent + ", tokens-per-minute " + tokensPerMinute
            + ", max-queued " + maxQueued + ")");
      }
    }

    Tenant named(String other) {
      return new Tenant(other, weight, serviceClass, maxConcurrent, tokensPerMinute, maxQueued);
    }
  }

  public Tenants {
    configured = Map.copyOf(configured);
  }

  /** Every tenant the same: the defaults only. */
  public static Tenants of(Tenant defaults) {
    return new Tenants(Map.of(), defaults);
  }

  public static Tenants fromConfig(Config root) {
    Config c = root.getConfig("baton.tenants");
    Config defaultsConfig = c.getConfig("defaults");
    Tenant defaults = read("defaults", defaultsConfig);
    Map<String, Tenant> configured = new TreeMap<>();
    for (String name : c.root().keySet()) {
      if (!name.equals("defaults")) {
        configured.put(name, read(name, c.getConfig(name).withFallback(defaultsConfig)));
      }
    }
    return new Tenants(configured, defaults);
  }

  private static Tenant read(String name, Config c) {
    String cls = c.getString("class");
    ServiceClass serviceClass = ServiceClass.parse(cls).orElseThrow(() -> new IllegalArgumentException(
        "baton.tenants." + name + ".class must be one of interactive, batch, background; was '" + cls + "'"));
    return new Tenant(name, c.getDouble("weight"), serviceClass, c.getInt("max-concurrent"),
        c.getLong("tokens-per-minute"), c.getInt("max-queued"));
  }

  /** The tenant's settings: its own entry, else the defaults under its name. */
  public Tenant of(String name) {
    Tenant t = configured.get(name);
    return t != null ? t : defaults.named(name);
  }

  /** The configured tenants, by name. */
  public List<Tenant> all() {
    return List.copyOf(configured.values());
  }
}
