package io.baton.http;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The HTTP module's settings, read from {@code baton.http}.
 *
 * @param apiKeys accepted bearer keys by key, each with its name (the tenant); empty: no key needed
 * @param adminToken the bearer token /admin needs; blank: none needed
 * @param cancelOnDisconnect a client disconnect cancels its session instead of letting it finish
 * @param maxFile the largest upload to /v1/files; it streams to Cassandra, so it may be large
 * @param chaos whether /admin/chaos (fault injection) exists; off in production, where it is a 404
 * @param metricsAccess who may scrape /metrics beyond loopback: "open" or "admin-token"
 * @param managementHost where pekko-management binds: probes, cluster and log-level routes
 * @param managementPort its port (8558); 0 picks a free one at start (tests)
 * @param storagePerKey bytes of uploaded and batch output files one API key may keep
 */
public record HttpSettings(
    String host,
    int port,
    Map<String, String> apiKeys,
    String adminToken,
    long maxBody,
    long maxFile,
    int maxTokens,
    int maxStreamsPerKey,
    Duration keepAlive,
    boolean cancelOnDisconnect,
    boolean chaos,
    String metricsAccess,
    String managementHost,
    int managementPort,
    long storagePerKey) {

  public HttpSettings {
    apiKeys = Map.copyOf(apiKeys);
    if (!metricsAccess.equals("open") && !metricsAccess.equals("admin-token")) {
      throw new IllegalArgumentException("baton.http.metrics-access must be open or admin-token, was " + metricsAccess);
    }
    if (adminToken.isBlank() && (!apiKeys.isEmpty() || !loopback(host))) {
      throw new IllegalArgumentException("set baton.http.admin-token (BATON_ADMIN_TOKEN) to a secret: "
          + (apiKeys.isEmpty() ? "HTTP binds to " + host + ", beyond loopback" : "API keys are configured")
          + ", and /admin (cordon, drain, cluster membership) must not be reachable without its own credential");
    }
  }

  /** Loopback only, no API keys, no admin token: the single-user dev node, where /admin is open. */
  public boolean devMode() {
    return adminToken.isBlank() && apiKeys.isEmpty() && loopback(host);
  }

  /** /metrics without a credential: always on loopback, elsewhere only when configured "open". */
  public boolean metricsOpen() {
    return loopback(host) || metricsAccess.equals("open");
  }

  /** Only literal loopback names count; a name that might resolve elsewhere does not. */
  static boolean loopback(String host) {
    String h = host.trim();
    return h.equals("localhost") || h.equals("::1") || h.equals("[::1]") || h.startsWith("127.");
  }

  public static HttpSettings fromConfig(Config root) {
    Config c = root.getConfig("baton.http");
    Duration idle = root.getDuration("pekko.http.server.idle-timeout");
    if (idle.compareTo(c.getDuration("keep-alive").multipliedBy(2)) <= 0) {
      throw new IllegalArgumentException("pekko.http.server.idle-timeout (" + idle.toSeconds() + " s) must exceed two"
          + " baton.http.keep-alive intervals: a quiet stream would be cut between its keep-alives");
    }
    String onDisconnect = c.getString("on-disconnect");
    if (!onDisconnect.equals("finish") && !onDisconnect.equals("cancel")) {
      throw new IllegalArgumentException("baton.http.on-disconnect must be finish or cancel, was " + onDisconnect);
    }
    return new HttpSettings(
        c.getString("host"),
        c.getInt("port"),
        parseKeys(c.getString("api-keys")),
        c.getString("admin-token"),
        c.getMemorySize("limits.max-body").toBytes(),
        c.getMemorySize("limits.max-file").toBytes(),
        c.getInt("limits.max-tokens"),
        c.getInt("limits.max-streams-per-key"),
        c.getDuration("keep-alive"),
        onDisconnect.equals("cancel"),
        c.getBoolean("chaos"),
        c.getString("metrics-access"),
        root.getString("baton.management.host"),
        root.getInt("baton.management.port"),
        c.getMemorySize("limits.storage-per-key").toBytes());
  }

  /** "alice:sk-1,bob:sk-2" to {sk-1=alice, sk-2=bob}; a key without a name is named "default". */
  static Map<String, String> parseKeys(String spec) {
    Map<String, String> keys = new LinkedHashMap<>();
    Arrays.stream(spec.split(",")).map(String::trim).filter(s -> !s.isEmpty()).forEach(entry -> {
      int colon = entry.indexOf(':');
      String name = colon > 0 ? entry.substring(0, colon) : "default";
      String key = colon > 0 ? entry.substring(colon + 1) : entry;
      if (key.isBlank()) {
        throw new IllegalArgumentException("baton.http.api-keys: entry '" + entry + "' has no key");
      }
      keys.put(key, name);
    });
    return keys;
  }
}
