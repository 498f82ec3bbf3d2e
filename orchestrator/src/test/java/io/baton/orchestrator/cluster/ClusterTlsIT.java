package io.baton.orchestrator.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * The cluster transport is TLS with mutual authentication: a real node JVM holding a key of its
 * own (not the cluster's) that tries to join through the seed is refused at the handshake and
 * never becomes a member. (That nodes holding the cluster's key do join is what every local
 * cluster test shows.)
 */
class ClusterTlsIT {
  static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Test
  void aNodeWithoutTheClustersCertificateCannotJoin() throws Exception {
    Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "cluster-tls-");
    try (LocalCluster cluster = LocalCluster.start(ClusterOptions.defaults(dir, 1, 1).withSpares(0))) {
      NodeProcess seed = cluster.node("node-1");
      assertTrue(cluster.tls().keyStore().toString().endsWith("cluster-key.p12"));
      ClusterTls.Material foreign = ClusterTls.generate(dir.resolve("intruder-tls"));
      ClusterOptions options = cluster.options();
      List<String> command = NodeCommandLine.of(options, NodeCommandLine.absoluteClasspath(
              System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"))),
          "intruder", "127.0.0.1", freePort(), freePort(), freePort(), List.of(seed.clusterAddress()), 0,
          cluster.contactPoints());
      Path log = dir.resolve("intruder.log");
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
      builder.environment().put("BATON_ADMIN_TOKEN", options.adminToken());
      builder.environment().putAll(foreign.environment());
      Process intruder = builder.start();
      try {
        // The intruder's own log shows the refused handshake with the seed.
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).until(() ->
            Files.readString(log).toLowerCase(Locale.ROOT).contains("sslhandshakeexception"));
        assertEquals(List.of(seed.clusterAddress()), ClusterMembers.up(seed), "the seed's members");
        assertTrue(intruder.isAlive(), "still trying, never joined");
      } finally {
        intruder.destroy();
        intruder.waitFor();
      }
    }
  }
}
