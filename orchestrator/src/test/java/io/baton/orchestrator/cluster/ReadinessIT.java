package io.baton.orchestrator.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
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
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(5);
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @Test
  void notReadyWhileCassandraIsUnreachableAndReadyAgainAfter() throws Exception {
    Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "readiness-cassandra-");
    try (LocalCluster cluster = LocalCluster.start(ClusterOptions.defaults(dir, 1, 1).withSpares(0))) {
      NodeProcess node = cluster.node("node-1");
      assertEquals(200, status(ready(node)));
      signal("STOP", cluster.cassandraPid());
      try {
        await().atMost(WITHIN).pollInterval(Duration.ofMillis(200)).until(() -> status(ready(node)) == 503);
        String reason = ready(node).orElseThrow().body();
        assertTrue(reason.contains("CassandraHealthCheck"), reason);
        assertEquals(503, status(alias(node)), "the API port's alias agrees");
        assertEquals(200, status(node.manage("/alive")), "alive while its journal is away");
      } finally {
        signal("CONT", cluster.cassandraPid());
      }
      await().atMost(WITHIN).pollInterval(Duration.ofMillis(200)).until(() -> status(ready(node)) == 200);
      assertEquals(200, status(alias(node)));
    }
  }

  @Test
  void notReadyInAMinorityAndReadyAgainOnceBackInTheCluster() throws Exception {
    Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "readiness-minority-");
    try (LocalCluster cluster = LocalCluster.start(ClusterOptions.defaults(dir, 3, 1).withSpares(0))) {
      cluster.awaitAllUp(WITHIN);
      NodeProcess alone = cluster.node("node-1");
      List<NodeProcess> others = List.of(cluster.node("node-2"), cluster.node("node-3"));
      assertEquals(200, status(ready(alone)));
      others.forEach(NodeProcess::pause);
      try {
        // Unreachable after the failure detector's acceptable pause; 503 from then until the
        // resolver downs this side (stable-after later), or the others come back.
        await().atMost(WITHIN).pollInterval(Duration.ofMillis(100)).until(() ->
            !alone.isAlive() || status(ready(alone)) == 503);
        assertTrue(alone.isAlive(), "503 was seen before the resolver's decision:\n" + alone.logTail());
        String reason = ready(alone).map(HttpResponse::body).orElse("(downed meanwhile)");
        assertTrue(reason.contains("MajorityCheck") || reason.contains("downed"), reason);
      } finally {
        others.forEach(NodeProcess::resume);
      }
      // Either the partition healed before the resolver acted, or keep-majority downed this side
      // and it stopped, as a pod's container would, and restarts to rejoin.
      NodeProcess back = alone;
      if (!alone.onExit().isDone()) {
        await().atMost(WITHIN).pollInterval(Duration.ofMillis(200)).until(() ->
            alone.onExit().isDone() || status(ready(alone)) == 200);
      }
      if (alone.onExit().isDone()) {
        back = cluster.restart("node-1");
      }
      back.awaitReady(Duration.ofSeconds(180));
      cluster.awaitAllUp(Duration.ofSeconds(120));
      assertEquals(200, status(ready(back)));
    }
  }

  /**
   * GET with a timeout above the checks' own (check-timeout, 3 s), as the Kubernetes probes have:
   * while Cassandra is stopped the journal check answers only when it times out.
   */
  private static Optional<HttpResponse<String>> probe(String url) {
    try {
      return Optional.of(HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(PROBE_TIMEOUT).GET().build(),
          HttpResponse.BodyHandlers.ofString()));
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  private static Optional<HttpResponse<String>> ready(NodeProcess node) {
    return probe(node.managementUrl() + "/ready");
  }

  private static Optional<HttpResponse<String>> alias(NodeProcess node) {
    return probe(node.httpUrl() + "/health/ready");
  }

  private static int status(Optional<HttpResponse<String>> response) {
    return response.map(HttpResponse::statusCode).orElse(-1);
  }

  private static void signal(String name, long pid) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid)).inheritIO().start();
    assertTrue(kill.waitFor(5, TimeUnit.SECONDS) && kill.exitValue() == 0, "kill -" + name + " " + pid);
  }
}
