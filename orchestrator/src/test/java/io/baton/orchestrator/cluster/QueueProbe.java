package io.baton.orchestrator.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.baton.orchestrator.api.SseEvents;
import io.baton.persistence.BatonConfig;
import io.baton.workers.WorkersSettings;
import io.baton.workers.engine.Generation;
import io.baton.workers.engine.GenerationRequest;
import io.baton.workers.engine.ModelSpec;
import io.baton.workers.engine.ReferenceEngine;
import io.baton.workers.engine.ReferenceTokenizer;
import io.baton.workers.engine.SamplingParams;
import io.baton.workers.engine.Tokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.StreamSupport;

/**
 * What {@link QueueNodeLossIT} asks of a real cluster over HTTP: completions submitted
 * under their tenant's API key, the sessions' views and their tokens streamed again from any node,
 * the model's admission queue as a node's {@code /admin/queues} shows it, and the node that hosts
 * the queue entity ({@code /cluster/shards/AdmissionQueue} on the management port); plus the fault-free text of a
 * completion, computed in this JVM from the configuration the nodes load.
 */
final class QueueProbe {
  static final String MODEL = "baton-small";
  static final double TEMPERATURE = 0.8;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  /** One completion a tenant asks for, sent to node {@code index % 3}. */
  record Request(int index, String tenant, String key, boolean batch, String prompt, int maxTokens, long seed) {
    String body() {
      return "{\"model\":\"" + MODEL + "\",\"prompt\":\"" + prompt + "\",\"max_tokens\":" + maxTokens + ",\"seed\":"
          + seed + ",\"temperature\":" + TEMPERATURE + ",\"stream\":true" + (batch ? ",\"priority\":\"batch\"}" : "}");
    }
  }

  /** A waiter as {@code /admin/queues} lists it, in admission order. */
  record Waiter(String session, String tenant, String cls, boolean resuming, String queuedAt) {}

  /** The model's row of {@code /admin/queues}. */
  record Queue(boolean current, String asOf, int waiting, long admitted, List<Waiter> head, JsonNode tenants) {
    double attained(String tenant) {
      return StreamSupport.stream(tenants.spliterator(), false).filter(t -> t.path("tenant").asText().equals(tenant))
          .mapToDouble(t -> t.path("attained_tokens").asDouble()).sum();
    }

    List<String> sessions() {
      return head.stream().map(Waiter::session).toList();
    }
  }

  private final String adminToken;
  private final List<NodeProcess> nodes;
  /** The requests under test, by session id. */
  final Map<String, Request> requests = new LinkedHashMap<>();

  QueueProbe(LocalCluster cluster) {
    this.adminToken = cluster.options().adminToken();
    this.nodes = cluster.nodes();
  }

  /**
   * Submits the group at once, each from its own client, and again after a 503 (the node shed
   * it), as a client would; each drops its stream once a node took it (on-disconnect = finish: the
   * session runs on). {@code track}: they are requests under test.
   */
  void submit(List<Request> group, boolean track) throws Exception {
    ExecutorService clients = Executors.newFixedThreadPool(group.size());
    try {
      List<Future<String>> ids = new ArrayList<>();
      for (Request r : group) {
        ids.add(clients.submit(() -> await().atMost(Duration.ofSeconds(90)).pollInSameThread()
            .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(250))
            .until(() -> submit(nodes.get(r.index() % nodes.size()), r), Optional::isPresent).orElseThrow()));
      }
      for (int i = 0; i < group.size(); i++) {
        String id = ids.get(i).get();
        if (track) {
          requests.put(id, group.get(i));
        }
      }
    } finally {
      clients.shutdown();
    }
  }

  private Optional<String> submit(NodeProcess node, Request r) throws Exception {
    HttpResponse<InputStream> created = HTTP.send(call(node, r.key(), "/v1/completions")
        .POST(HttpRequest.BodyPublishers.ofString(r.body())).build(), HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream body = created.body()) {
      if (created.statusCode() != 200) {
        String why = new String(body.readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(503, created.statusCode(), () -> "request " + r + ": " + why);
        return Optional.empty();
      }
      return Optional.of(created.headers().firstValue("x-baton-session-id").orElseThrow());
    }
  }

  /** The session's view; empty while {@code node} cannot answer for it (its entity is moving). */
  Optional<JsonNode> view(NodeProcess node, String id) throws Exception {
    try {
      HttpResponse<String> view = HTTP.send(call(node, requests.get(id).key(), "/v1/sessions/" + id).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      return view.statusCode() == 200 ? Optional.of(JSON.readTree(view.body())) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** The session's whole text, streamed again from {@code node}. */
  String text(NodeProcess node, String id) throws Exception {
    HttpResponse<InputStream> stream = HTTP.send(call(node, requests.get(id).key(), "/v1/sessions/" + id + "/stream")
        .GET().build(), HttpResponse.BodyHandlers.ofInputStream());
    assertEquals(200, stream.statusCode(), () -> "stream of " + id);
    StringBuilder text = new StringBuilder();
    try (SseEvents events = new SseEvents(stream.body())) {
      for (SseEvents.Event e = events.next(); e != null && !"[DONE]".equals(e.data()); e = events.next()) {
        text.append(e.json().at("/choices/0/text").asText(""));
      }
    }
    return text.toString();
  }

  /** The model's queue as {@code node} last heard it; empty when it answers nothing or knows no queue. */
  Optional<Queue> queue(NodeProcess node) throws IOException {
    Optional<HttpResponse<String>> r = node.get("/admin/queues").filter(x -> x.statusCode() == 200);
    for (JsonNode row : r.isEmpty() ? List.<JsonNode>of() : JSON.readTree(r.get().body()).path("data")) {
      if (row.path("model").asText().equals(MODEL)) {
        List<Waiter> head = new ArrayList<>();
        row.path("head").forEach(w -> head.add(new Waiter(w.path("session").asText(), w.path("tenant").asText(),
            w.path("class").asText(), w.path("resuming").asBoolean(), w.path("queued_at").asText())));
        return Optional.of(new Queue(row.path("current").asBoolean(), row.path("as_of").asText(),
            row.path("waiting").asInt(), row.path("admitted").asLong(), head, row.path("tenants")));
      }
    }
    return Optional.empty();
  }

  /** The live node whose shard region runs the admission queue entity (one model, one entity). */
  Optional<NodeProcess> host() throws IOException {
    for (NodeProcess n : nodes) {
      Optional<HttpResponse<String>> r = n.isAlive() ? n.manage("/cluster/shards/AdmissionQueue") : Optional.empty();
      for (JsonNode region : r.filter(x -> x.statusCode() == 200).isEmpty() ? List.<JsonNode>of()
          : JSON.readTree(r.get().body()).path("regions")) {
        if (region.path("numEntities").asInt() > 0) {
          return Optional.of(n);
        }
      }
    }
    return Optional.empty();
  }

  /** Cordons {@code node}'s GPUs: what runs there finishes, and nothing new is placed there. */
  void cordon(NodeProcess node) throws Exception {
    for (String gpu : node.gpuIds()) {
      HttpResponse<String> r = HTTP.send(call(node, adminToken, "/admin/workers/" + gpu + "/cordon").POST(
          HttpRequest.BodyPublishers.ofString("{\"reason\":\"the queue's node: its loss displaces nobody\"}")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode(), r::body);
    }
  }

  /**
   * The queue once it holds exactly the sessions under test that are pending, read twice around
   * their views with no admission between; {@code views} keeps those views.
   */
  Optional<Queue> settled(NodeProcess node, Map<String, JsonNode> views) throws Exception {
    Optional<Queue> first = queue(node);
    for (String id : requests.keySet()) {
      Optional<JsonNode> v = view(node, id);
      if (v.isEmpty()) {
        return Optional.empty();
      }
      views.put(id, v.get());
    }
    Set<String> pending = new HashSet<>(requests.keySet());
    pending.removeIf(id -> !views.get(id).get("status").asText().equals("pending"));
    Optional<Queue> second = queue(node);
    boolean same = first.isPresent() && second.isPresent() && second.get().current()
        && first.get().admitted() == second.get().admitted() && first.get().sessions().equals(second.get().sessions());
    return same && new HashSet<>(second.get().sessions()).equals(pending) ? second : Optional.empty();
  }

  /** Whether every session under test completed; fails at once on one that failed or was cancelled. */
  boolean finished(NodeProcess node) throws Exception {
    for (String id : requests.keySet()) {
      String status = view(node, id).map(v -> v.get("status").asText()).orElse("unknown");
      assertTrue(!status.matches("failed|cancelled"), () -> "session " + id + " " + status);
      if (!status.equals("completed")) {
        return false;
      }
    }
    return true;
  }

  /**
   * The first placement after {@code after} of each of {@code ids}, in time order, grouped: one
   * placed within {@code round} of the one before belongs to the same admission round.
   */
  List<Set<String>> rounds(NodeProcess node, List<String> ids, Instant after, Duration round) throws Exception {
    Map<String, Instant> placed = new HashMap<>();
    for (String id : ids) {
      for (JsonNode a : view(node, id).orElseThrow().get("attempts")) {
        Instant at = Instant.parse(a.get("placed_at").asText());
        if (at.isAfter(after)) {
          placed.putIfAbsent(id, at);
        }
      }
    }
    List<String> order = new ArrayList<>(placed.keySet());
    order.sort(Comparator.comparing(placed::get));
    List<Set<String>> rounds = new ArrayList<>();
    for (int i = 0; i < order.size(); i++) {
      if (i == 0 || Duration.between(placed.get(order.get(i - 1)), placed.get(order.get(i))).compareTo(round) > 0) {
        rounds.add(new HashSet<>());
      }
      rounds.get(rounds.size() - 1).add(order.get(i));
    }
    return rounds;
  }

  /**
   * The fault-free text: the prompt tokenized as the API does, straight through a fresh reference
   * engine of the configured model with the same seed, each token decoded on its own.
   */
  static String reference(Request r) {
    ModelSpec model = WorkersSettings.fromConfig(BatonConfig.load()).engine().model(MODEL).orElseThrow();
    Tokenizer tokenizer = new ReferenceTokenizer(model.vocab());
    Generation g = ReferenceEngine.of(model, 0).start(GenerationRequest.fresh(tokenizer.encodeToList(r.prompt()),
        new SamplingParams(TEMPERATURE, 1.0, r.seed())));
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < r.maxTokens(); i++) {
      text.append(tokenizer.decode(List.of(g.next())));
    }
    return text.toString();
  }

  /** A call under a key: a tenant's (only its own sessions exist for it), or the admin token. */
  private static HttpRequest.Builder call(NodeProcess node, String key, String path) {
    return HttpRequest.newBuilder(URI.create(node.httpUrl() + path)).timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer " + key).header("Content-Type", "application/json");
  }
}
