package io.baton.orchestrator.formation;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;

/**
 * The management port, made concrete before the actor system starts: 0 (tests, several nodes in
 * one JVM) becomes a free port, so that pekko-management, the node and its callers agree on one.
 */
public final class ManagementPort {
  private ManagementPort() {}

  public static Config resolve(Config config) {
    int port = config.getInt("baton.management.port");
    if (port != 0) {
      return config;
    }
    int free = freePort(config.getString("baton.management.host"));
    return ConfigFactory.parseMap(Map.of("baton.management.port", free, "pekko.management.http.port", free))
        .withFallback(config);
  }

  private static int freePort(String host) {
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName(host))) {
      return probe.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port for pekko-management on " + host, e);
    }
  }
}
