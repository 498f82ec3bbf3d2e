package io.baton.orchestrator.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.baton.orchestrator.feed.FeedReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * A real two-node cluster (two JVMs, 2 GPUs each, one spare) on its own embedded Cassandra: both
 * nodes serve, see each other's GPUs, and the survivor of a kill -9 downs the dead node, which
 * then rejoins on the same address. The admin feed is cluster-wide: both nodes carry the same entries
 * under the same ids, the survivor tells the resolver's downing, and the restarted node fills the
 * history it missed from its peer.
 */
class LocalClusterIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @Test
  void twoNodesServeSeeEachOtherAndSurviveAKill() throws Exception {
    Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "local-cluster-");
    try (LocalCluster cluster = LocalCluster.start(ClusterOptions.defaults(dir, 2, 2).withSpares(1))) {
      NodeProcess first = cluster.node("node-1");
      NodeProcess second = cluster.node("node-2");
      assertTrue(ClusterMembers.up(second).containsAll(List.of(first.clusterAddress(), second.clusterAddress())),
          "node-2 sees both members Up");
      assertEquals(List.of("node-2-host0-gpu0", "node-2-host0-gpu1"), second.gpuIds());

      HttpResponse<String> completion = HTTP.send(HttpRequest.newBuilder(URI.create(second.httpUrl() + "/v1/completions"))
          .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(
              "{\"model\":\"baton-small\",\"prompt\":\"Hello cluster\",\"max_tokens\":8,\"seed\":11}"))
          .build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, completion.statusCode(), completion.body());
      JsonNode body = JSON.readTree(completion.body());
      assertTrue(body.at("/usage/completion_tokens").asInt() > 0, completion.body());
      assertTrue(body.at("/choices/0/finish_reason").isTextual(), completion.body());
      String session = body.get("id").asText();
      String token = cluster.options().adminToken();
      Predicate<FeedReader.Event> ended = e -> e.type().equals("session.ended")
          && e.data().get("session").asText().equals(session);
      String endedId;
      try (FeedReader one = FeedReader.follow(first.httpUrl(), token, null);
          FeedReader two = FeedReader.follow(second.httpUrl(), token, null)) {
        endedId = one.await(ended, Duration.ofSeconds(20), "the session's end on node-1").id();
        assertEquals(endedId, two.await(ended, Duration.ofSeconds(20), "the session's end on node-2").id(),
            "one entry, one id, on every node");
      }

      Set<String> allGpus = new TreeSet<>(first.gpuIds());
      allGpus.addAll(second.gpuIds());
      // node-2's GPUs reach node-1 through the reports its agent publishes every 500 ms.
      await().atMost(Duration.ofSeconds(20)).until(() -> workers(first).equals(allGpus));

      second.kill9();
      assertFalse(second.isAlive());
      assertEquals(200, first.get("/health/alive").orElseThrow().statusCode());
      // Unreachable after ~3 s, downed by the split brain resolver after stable-after (7 s); node-1
      // survives the 1:1 split because it holds the lowest address.
      await().atMost(Duration.ofSeconds(60)).until(() -> !ClusterMembers.up(first).contains(second.clusterAddress()));
      assertEquals(200, first.get("/health/alive").orElseThrow().statusCode());

      try (FeedReader one = FeedReader.follow(first.httpUrl(), token, null)) {
        FeedReader.Event downed = one.await(e -> e.type().equals("node.member")
            && e.data().get("change").asText().equals("downed")
            && e.data().get("address").asText().equals(second.clusterAddress()), Duration.ofSeconds(20), "the downing");
        assertTrue(downed.data().get("detail").asText().contains("split-brain resolver"), downed.data().toString());
      }
      JsonNode topology = JSON.readTree(first.get("/admin/topology").orElseThrow().body());
      assertEquals(second.clusterAddress(), topology.at("/last_downing/address").asText(), topology.toString());

      NodeProcess back = cluster.restart("node-2");
      assertEquals(second.clusterAddress(), back.clusterAddress());
      await().atMost(Duration.ofSeconds(60)).until(() -> ClusterMembers.up(first).contains(back.clusterAddress()));
      cluster.awaitAllUp(Duration.ofSeconds(30));
      // The restarted node heard none of it, and its feed has it: filled from node-1's history.
      try (FeedReader restarted = FeedReader.follow(back.httpUrl(), token, null)) {
        restarted.await(e -> endedId.equals(e.id()), Duration.ofSeconds(20), "the entry from before the restart");
      }
    }
    // Kept when the test fails: the node logs are in it.
    try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).map(Path::toFile).forEach(java.io.File::delete);
    }
  }

  /** The GPU ids node's /admin/workers lists. */
  private static Set<String> workers(NodeProcess node) throws Exception {
    Set<String> ids = new TreeSet<>();
    HttpResponse<String> r = node.get("/admin/workers").orElse(null);
    if (r == null || r.statusCode() != 200) {
      return ids;
    }
    List<JsonNode> rows = new ArrayList<>();
    JSON.readTree(r.body()).path("data").forEach(rows::add);
    rows.forEach(row -> ids.add(row.path("id").asText()));
    return ids;
  }
}
