package io.baton.orchestrator.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Readiness on real processes: a node JVM's {@code /ready} (management port) and its alias
 * {@code /health/ready} go to 503, naming the failing check, while its Cassandra is unreachable
 * (the Cassandra JVM stopped with SIGSTOP) and while it sits in a minority (the two other node JVMs
 * stopped), and come back to 200 after; {@code /alive} answers throughout.
 */
class ReadinessIT {
  private static final Duration WITHIN = Duration.ofSeconds(60);

  @Test
  void notReadyWhileCassandraIsUnreachableAndReadyAgainAfter() throws Exception {
    Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "readiness-cassandra-");
    try (LocalCluster cluster = LocalCluster.start(ClusterOptions.defaults(dir, 1, 1).withSpares(0))) {
      NodeProcess node = cluster.node("node-1");
      assertEquals(200, status(node.manage("/ready")));
      signal("STOP", cluster.cassandraPid());
      try {
        await().atMost(WITHIN).pollInterval(Duration.ofMillis(200)).until(() -> status(node.manage("/ready")) == 503);
        String reason = node.manage("/ready").orElseThrow().body();
        assertTrue(reason.contains("CassandraHealthCheck"), reason);
        assertEquals(503, status(node.get("/health/ready")), "the API port's alias agrees");
        assertEquals(200, status(node.manage("/alive")), "alive while its journal is away");
      } finally {
        signal("CONT", cluster.cassandraPid());
      }
      await().atMost(WITHIN).pollInterval(Duration.ofMillis(200)).until(() -> status(node.manage("/ready")) == 200);
      assertEquals(200, status(node.get("/health/ready")));
    }
  }

  @Test
  void notReadyInAMinorityAndReadyAgainOnceBackInTheCluster() throws Exception {
    Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "readiness-minority-");
    try (LocalCluster cluster = LocalCluster.start(ClusterOptions.defaults(dir, 3, 1).withSpares(0))) {
      cluster.awaitAllUp(WITHIN);
      NodeProcess alone = cluster.node("node-1");
      List<NodeProcess> others = List.of(cluster.node("node-2"), cluster.node("node-3"));
      assertEquals(200, status(alone.manage("/ready")));
      others.forEach(NodeProcess::pause);
      try {
        // Unreachable after the failure detector's acceptable pause; 503 from then until the
        // resolver downs this side (stable-after later), or the others come back.
        await().atMost(WITHIN).pollInterval(Duration.ofMillis(100)).until(() ->
            !alone.isAlive() || status(alone.manage("/ready")) == 503);
        assertTrue(alone.isAlive(), "503 was seen before the resolver's decision:\n" + alone.logTail());
        String reason = alone.manage("/ready").map(HttpResponse::body).orElse("(downed meanwhile)");
        assertTrue(reason.contains("MajorityCheck") || reason.contains("downed"), reason);
      } finally {
        others.forEach(NodeProcess::resume);
      }
      // Either the partition healed before the resolver acted, or keep-majority downed this side
      // and it stopped, as a pod's container would, and restarts to rejoin.
      NodeProcess back = alone;
      if (!alone.onExit().isDone()) {
        await().atMost(WITHIN).pollInterval(Duration.ofMillis(200)).until(() ->
            alone.onExit().isDone() || status(alone.manage("/ready")) == 200);
      }
      if (alone.onExit().isDone()) {
        back = cluster.restart("node-1");
      }
      back.awaitReady(Duration.ofSeconds(180));
      cluster.awaitAllUp(Duration.ofSeconds(120));
      assertEquals(200, status(back.manage("/ready")));
    }
  }

  private static int status(Optional<HttpResponse<String>> response) {
    return response.map(HttpResponse::statusCode).orElse(-1);
  }

  private static void signal(String name, long pid) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid)).inheritIO().start();
    assertTrue(kill.waitFor(5, TimeUnit.SECONDS) && kill.exitValue() == 0, "kill -" + name + " " + pid);
  }
}
