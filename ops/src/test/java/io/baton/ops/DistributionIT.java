package io.baton.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * The distribution as an operator gets it: the tarball unpacked into a temporary folder, an empty
 * HOME, no Maven on the PATH, three {@code bin/baton node} JVMs that form their cluster from
 * StatefulSet DNS names (a hosts file maps baton-i.baton-headless... to 127.0.0.(i+1)), baton-0
 * with the embedded Cassandra from the distribution's cassandra/ folder, and a completion streamed
 * through baton-2. Logs and node folders stay under ops/target/dist-it/.
 */
@EnabledOnOs(value = OS.LINUX, disabledReason = "Linux routes all of 127/8 to loopback; the test reads /proc")
@EnabledIfSystemProperty(named = "baton.dist.tarball", matches = ".+",
    disabledReason = "needs the tarball: run mvn -B verify -Pdist (the dist profile of the ops module)")
class DistributionIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private static final int NODES = 3;
  private static final String ADMIN_TOKEN = "dist-it-admin-token";
  private static final Duration READY_TIMEOUT = Duration.ofMinutes(5);

  private static Path itDir;
  private static Unpacked dist;
  private static final List<DistNode> nodes = new ArrayList<>();
  private static final List<Process> others = new ArrayList<>();

  @BeforeAll
  static void unpack() throws Exception {
    itDir = Path.of(System.getProperty("baton.dist.it-dir"));
    Unpacked.deleteTree(itDir);
    Files.createDirectories(itDir);
    dist = Unpacked.from(Path.of(System.getProperty("baton.dist.tarball")), System.getProperty("baton.dist.name"));
    for (String part : List.of("bin/baton", "lib", "cassandra", "conf/application.conf", "conf/logback.xml",
        "licenses/THIRD-PARTY.txt", "licenses/THIRD-PARTY-cassandra.txt")) {
      assertTrue(Files.exists(dist.home().resolve(part)), "the distribution lacks " + part);
    }
    assertTrue(Files.isExecutable(dist.launcher()), "bin/baton is not executable");
    dist.assertEveryJarListed("lib", "licenses/THIRD-PARTY.txt");
    dist.assertEveryJarListed("cassandra", "licenses/THIRD-PARTY-cassandra.txt");
  }

  @AfterAll
  static void stopAndClean() throws Exception {
    List<Thread> stops = new ArrayList<>();
    for (DistNode node : nodes) {
      Thread stop = new Thread(() -> node.stop(Duration.ofSeconds(30)), "stop-" + node.nodeId);
      stop.start();
      stops.add(stop);
    }
    for (Thread stop : stops) {
      stop.join();
    }
    for (Process other : others) {
      other.destroy();
      if (!other.waitFor(10, TimeUnit.SECONDS)) {
        other.destroyForcibly();
      }
    }
    // The unpacked copy and the empty HOME go; the processes' logs and folders stay in ops/target/dist-it.
    if (dist != null) {
      dist.delete();
    }
  }

  @Test
  void threeNodesFromTheTarballFormAClusterAndStreamACompletion() throws Exception {
    Path hostsFile = writeHostsFile();
    int[] ports = Unpacked.freePorts(3 + 2 * NODES);
    int clusterPort = ports[0];
    int cqlPort = ports[1];
    int storagePort = ports[2];
    for (int i = 0; i < NODES; i++) {
      String nodeId = "baton-" + i;
      int httpPort = ports[3 + 2 * i];
      int managementPort = ports[4 + 2 * i];
      // As a StatefulSet's pod gets it: its name as the node id, the replica count, the same port everywhere.
      Map<String, String> env = dist.baseEnvironment();
      env.put("BATON_JAVA_OPTS", "-Djdk.net.hosts.file=" + hostsFile + " -Xmx512m");
      env.put("BATON_NODE_ID", nodeId);
      env.put("BATON_CLUSTER_FORMATION", "statefulset");
      env.put("BATON_REPLICAS", Integer.toString(NODES));
      env.put("BATON_CLUSTER_PORT", Integer.toString(clusterPort));
      env.put("BATON_HTTP_PORT", Integer.toString(httpPort));
      env.put("BATON_MANAGEMENT_PORT", Integer.toString(managementPort));
      env.put("BATON_ADMIN_TOKEN", ADMIN_TOKEN);
      List<String> args = new ArrayList<>(List.of("--hosts", "1", "--gpus-per-host", "1", "--spares", "0"));
      if (i == 0) {
        args.addAll(List.of("--embedded-cassandra", "--set", "baton.persistence.embedded.native-port=" + cqlPort,
            "--set", "baton.persistence.embedded.storage-port=" + storagePort));
      } else {
        args.addAll(List.of("--cassandra", "127.0.0.1:" + cqlPort));
      }
      nodes.add(DistNode.start(dist.home(), itDir.resolve(nodeId), nodeId, httpPort, managementPort, ADMIN_TOKEN,
          env, args));
      if (i == 0) {
        // The others need a Cassandra that answers before they create their tables.
        nodes.get(0).awaitListening(cqlPort, READY_TIMEOUT);
        String cassandraJars = dist.home().resolve("cassandra").toString();
        assertTrue(nodes.get(0).childCommandLines().stream().anyMatch(c -> c.contains(cassandraJars)),
            "the embedded Cassandra does not run from " + cassandraJars + ": " + nodes.get(0).childCommandLines());
      }
    }
    for (DistNode node : nodes) {
      node.awaitReady(READY_TIMEOUT);
    }

    Set<String> expected = new TreeSet<>();
    for (int i = 0; i < NODES; i++) {
      expected.add("pekko://baton@" + dnsName(i) + ":" + clusterPort);
    }
    awaitUpMembers(nodes.get(2), expected, Duration.ofSeconds(60));

    streamChatCompletion(nodes.get(2));
  }

  @Test
  void anEngineServerRunsFromTheTarball() throws Exception {
    Path log = itDir.resolve("engine.log");
    ProcessBuilder builder = new ProcessBuilder(dist.launcher().toString(), "engine", "serve", "--port", "0",
        "--model", "baton-small").directory(Files.createDirectories(itDir.resolve("engine")).toFile())
        .redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().clear();
    builder.environment().putAll(dist.baseEnvironment());
    Process engine = builder.start();
    others.add(engine);
    String ready = "baton-engine-ready ";
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    String url = null;
    while (url == null && System.nanoTime() < deadline) {
      if (!engine.isAlive()) {
        throw new AssertionError("engine serve exited " + engine.exitValue() + ": " + Files.readString(log));
      }
      url = Files.readAllLines(log).stream().filter(l -> l.startsWith(ready)).map(l -> l.substring(ready.length()))
          .findFirst().orElse(null);
      engine.waitFor(250, TimeUnit.MILLISECONDS);
    }
    assertTrue(url != null, "engine serve never said where it serves: " + Files.readString(log));
    HttpResponse<String> models = HTTP.send(HttpRequest.newBuilder(URI.create(url + "/v1/models"))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, models.statusCode(), models.body());
    assertTrue(models.body().contains("baton-small"), models.body());
  }

  private static void streamChatCompletion(DistNode node) throws Exception {
    String body = "{\"model\":\"baton-small\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello from the"
        + " distribution\"}],\"max_tokens\":16,\"seed\":7,\"stream\":true}";
    HttpRequest request = HttpRequest.newBuilder(URI.create(node.apiUrl() + "/v1/chat/completions"))
        .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    HttpResponse<InputStream> response = HTTP.send(request, HttpResponse.BodyHandlers.ofInputStream());
    List<String> data = new ArrayList<>();
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = lines.readLine()) != null) {
        if (line.startsWith("data: ")) {
          data.add(line.substring(6));
        }
      }
    }
    assertEquals(200, response.statusCode(), "stream answered " + data);
    assertFalse(data.isEmpty(), "no SSE data events");
    assertEquals("[DONE]", data.get(data.size() - 1), "the stream's last event");
    StringBuilder content = new StringBuilder();
    for (String chunk : data.subList(0, data.size() - 1)) {
      JsonNode json = JSON.readTree(chunk);
      assertEquals("chat.completion.chunk", json.path("object").asText(), chunk);
      content.append(json.at("/choices/0/delta/content").asText(""));
    }
    assertFalse(content.toString().isBlank(), "the streamed content is empty: " + data);
  }

  /** Polls {@code node}'s member list until exactly {@code expected} are Up; fails when the time runs out. */
  private static void awaitUpMembers(DistNode node, Set<String> expected, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    String last = "(no answer)";
    while (System.nanoTime() < deadline) {
      node.assertAlive("while the cluster formed");
      var answer = node.members();
      if (answer.isPresent()) {
        last = answer.get().statusCode() + " " + answer.get().body();
        if (answer.get().statusCode() == 200) {
          Set<String> up = new TreeSet<>();
          for (JsonNode member : JSON.readTree(answer.get().body()).path("members")) {
            if ("Up".equals(member.path("status").asText())) {
              up.add(member.path("node").asText());
            }
          }
          if (up.equals(expected)) {
            return;
          }
        }
      }
      TimeUnit.MILLISECONDS.sleep(500); // the polling interval of a condition with a deadline
    }
    throw new AssertionError(node.nodeId + " did not list " + expected + " as Up within " + timeout.toSeconds()
        + " s; last answer: " + last);
  }

  static String dnsName(int ordinal) {
    return "baton-" + ordinal + ".baton-headless.default.svc.cluster.local";
  }

  /** The nodes resolve names from this file only (jdk.net.hosts.file); all of 127/8 is loopback on Linux. */
  private static Path writeHostsFile() throws IOException {
    StringBuilder hosts = new StringBuilder("127.0.0.1 localhost\n");
    for (int i = 0; i < NODES; i++) {
      hosts.append("127.0.0.").append(i + 1).append(' ').append(dnsName(i)).append('\n');
    }
    return Files.writeString(itDir.resolve("hosts"), hosts.toString());
  }
}
