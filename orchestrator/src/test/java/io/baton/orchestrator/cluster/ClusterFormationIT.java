package io.baton.orchestrator.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.orchestrator.FleetBootstrap;
import io.baton.persistence.testing.CassandraTestExtension;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Three node JVMs form their cluster as pods of a StatefulSet do: node ids baton-0..2, seeds and
 * their own addresses computed from the stable DNS names (ClusterFormation, statefulset mode). The
 * names resolve through a hosts file ({@code jdk.net.hosts.file}) to three loopback addresses, one
 * cluster port for all, as in a pod network. Pods 1 and 2 start first: they cannot form a cluster,
 * so they stay alive but not ready and say which seeds they tried; once pod 0 starts, all three
 * are Up and ready.
 */
@ExtendWith(CassandraTestExtension.class)
class ClusterFormationIT {
  private static final String SUFFIX = ".baton-headless.default.svc.cluster.local";
  private static final Duration START = Duration.ofSeconds(180);

  @Test
  void podsFormTheirClusterFromStableNamesInAnyStartOrder() throws Exception {
    Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "formation-");
    Path hosts = dir.resolve("hosts");
    StringBuilder names = new StringBuilder("127.0.0.1 localhost\n127.0.0.1 "
        + InetAddress.getLocalHost().getHostName() + "\n");
    for (int i = 0; i < 3; i++) {
      names.append(address(i)).append(' ').append("baton-").append(i).append(SUFFIX).append('\n');
    }
    Files.writeString(hosts, names);
    int clusterPort = freePort();
    List<String> jvm = new ArrayList<>(ClusterOptions.DEFAULT_JVM_OPTIONS);
    jvm.add("-Djdk.net.hosts.file=" + hosts.toAbsolutePath());
    ClusterOptions options = new ClusterOptions(dir, 3, 1, 0,
        List.of(CassandraTestExtension.cassandra().contactPoint()),
        Map.of("baton.orchestrator.cluster.join-log-interval", "1s",
            "baton.orchestrator.cluster.formation", "statefulset",
            "baton.orchestrator.cluster.statefulset.replicas", "3"),
        jvm, false);
    String classpath = NodeCommandLine.absoluteClasspath(
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
    List<NodeProcess> pods = new ArrayList<>();
    try {
      pods.add(start(options, classpath, 2, clusterPort));
      pods.add(start(options, classpath, 1, clusterPort));
      for (NodeProcess pod : pods) {
        await().atMost(START).pollInterval(Duration.ofMillis(500)).until(() ->
            Files.readString(pod.logFile()).contains("event=cluster-join-waiting"));
        String log = Files.readString(pod.logFile());
        for (int i = 0; i < 3; i++) {
          assertTrue(log.contains("pekko://baton@baton-" + i + SUFFIX + ":" + clusterPort),
              pod.nodeId() + " names seed baton-" + i + " it tried:\n" + pod.logTail());
        }
        assertEquals(200, pod.manage("/alive").orElseThrow().statusCode(), "alive while it waits");
        assertEquals(503, pod.manage("/ready").orElseThrow().statusCode(), "not ready before it joined");
        assertTrue(pod.isAlive(), "keeps retrying");
      }
      pods.add(start(options, classpath, 0, clusterPort));
      for (NodeProcess pod : pods) {
        pod.awaitReady(START);
      }
      List<String> expected = IntStream.range(0, 3)
          .mapToObj(i -> "pekko://baton@baton-" + i + SUFFIX + ":" + clusterPort).sorted().toList();
      for (NodeProcess pod : pods) {
        await().atMost(Duration.ofSeconds(30)).until(() -> ClusterMembers.up(pod).stream().sorted().toList(),
            up -> up.equals(expected));
      }
    } finally {
      NodeProcess.terminateAll(pods);
    }
  }

  private static NodeProcess start(ClusterOptions options, String classpath, int ordinal, int clusterPort)
      throws IOException {
    String nodeId = "baton-" + ordinal;
    String host = address(ordinal);
    int http = freePort();
    int management = freePort();
    List<String> command = NodeCommandLine.of(options, classpath, nodeId, host, http, clusterPort, management,
        List.of(), 0, options.contactPoints());
    Path log = options.dir().resolve(nodeId + ".log").toAbsolutePath();
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().put("BATON_ADMIN_TOKEN", options.adminToken());
    Process process = builder.start();
    List<String> gpus = List.of(FleetBootstrap.workerId(FleetBootstrap.hostId(nodeId, 0), 0));
    return new NodeProcess(nodeId, process, host, http, clusterPort, management, gpus, log, options.adminToken());
  }

  /** Pod i's address: Linux routes all of 127/8 to loopback, so each pod has an address of its own. */
  private static String address(int ordinal) {
    return "127.0.0." + (ordinal + 1);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
