package io.baton.orchestrator.queue;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.baton.actors.session.Session;
import io.baton.actors.session.SessionCommand;
import io.baton.actors.session.SessionEvent;
import io.baton.actors.session.SessionSpec;
import io.baton.actors.session.SessionState;
import io.baton.orchestrator.BatonNode;
import io.baton.orchestrator.TestNodes;
import io.baton.workers.agent.AgentStatus;
import io.baton.workers.engine.Generation;
import io.baton.workers.engine.GenerationRequest;
import io.baton.workers.engine.ReferenceEngine;
import io.baton.workers.engine.SamplingParams;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.awaitility.core.ConditionTimeoutException;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.persistence.cassandra.query.javadsl.CassandraReadJournal;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * A whole node for the admission-queue tests: three active simulated GPUs with one place each (the
 * fourth is a spare), API keys naming tenants, and a model of its own. The model is baton-small's
 * twin under a fresh id, so the test's queue (one entity per model, kept in the shared test
 * Cassandra) starts empty: no waiter or attained service of another test class is in it.
 */
final class QueueNode implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient HTTP = HttpClient.newHttpClient();
  static final Duration TIMEOUT = Duration.ofSeconds(90);
  static final String ADMIN = "admin-queues";
  static final int PLACES = 3;

  final BatonNode node;
  final String model;

  private QueueNode(BatonNode node, String model) {
    this.node = node;
    this.model = model;
  }

  /** @param apiKeys "tenant:key,..." */
  static QueueNode start(String name, String apiKeys, Map<String, Object> overrides) throws Exception {
    String model = "queue-" + UUID.randomUUID().toString().substring(0, 8);
    Map<String, Object> config = new HashMap<>(Map.of(
        "baton.workers.engine.models", List.of(Map.of("id", model, "layers", 2, "width", 64, "heads", 4,
            "vocab", 256, "max-context", 1024, "seed", 1001)),
        "baton.orchestrator.simulated-fleet.model", model,
        "baton.workers.agent.sessions-per-gpu", 1,
        "baton.http.api-keys", apiKeys,
        "baton.http.admin-token", ADMIN));
    config.putAll(overrides);
    return new QueueNode(TestNodes.start(TestNodes.nodeId(name), config), model);
  }

  /** A completions body for this node's model; {@code more} is spliced in (",\"stream\":true"). */
  String completion(String prompt, int maxTokens, long seed, String more) {
    return "{\"model\":\"" + model + "\",\"prompt\":\"" + prompt + "\",\"max_tokens\":" + maxTokens + ",\"seed\":"
        + seed + more + "}";
  }

  HttpRequest.Builder request(String key, String path) {
    return HttpRequest.newBuilder(URI.create(node.httpAddress() + path)).timeout(TIMEOUT)
        .header("Authorization", "Bearer " + key);
  }

  CompletableFuture<HttpResponse<String>> postAsync(String key, String path, String body) {
    return HTTP.sendAsync(request(key, path).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> post(String key, String path, String body) throws Exception {
    return postAsync(key, path, body).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
  }

  /** A streaming request: the response as soon as its headers are in; read its body with SseEvents. */
  HttpResponse<InputStream> stream(String key, String body) throws Exception {
    return streamAsync(key, body).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
  }

  CompletableFuture<HttpResponse<InputStream>> streamAsync(String key, String body) {
    return HTTP.sendAsync(request(key, "/v1/completions").header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofInputStream());
  }

  JsonNode get(String key, String path) throws Exception {
    return JSON.readTree(HTTP.send(request(key, path).GET().build(), HttpResponse.BodyHandlers.ofString()).body());
  }

  /** This model's row of {@code GET /admin/queues}, or a missing node while the queue is not heard of. */
  JsonNode queue() throws Exception {
    for (JsonNode row : get(ADMIN, "/admin/queues").get("data")) {
      if (row.get("model").asText().equals(model)) {
        return row;
      }
    }
    return JSON.missingNode();
  }

  /** Waits until this model's row of /admin/queues satisfies {@code condition}; fails showing the last row. */
  JsonNode awaitQueue(String what, Predicate<JsonNode> condition) {
    JsonNode[] last = {JSON.missingNode()};
    try {
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
          .until(() -> condition.test(last[0] = queue()));
    } catch (ConditionTimeoutException e) {
      throw new AssertionError("the queue never showed " + what + ": " + last[0], e);
    }
    return last[0];
  }

  /** The tenant's row in a queue row, or a missing node. */
  static JsonNode tenant(JsonNode queue, String tenant) {
    for (JsonNode row : queue.path("tenants")) {
      if (row.get("tenant").asText().equals(tenant)) {
        return row;
      }
    }
    return JSON.missingNode();
  }

  /** The tenant's row in this model's queue, or a missing node. */
  JsonNode tenantRow(String tenant) throws Exception {
    return tenant(queue(), tenant);
  }

  String metrics() throws Exception {
    return HTTP.send(request(ADMIN, "/metrics").GET().build(), HttpResponse.BodyHandlers.ofString()).body();
  }

  /** The sum of a metric's samples whose labels contain every fragment; -1 when there are none. */
  static double metric(String text, String name, String... labels) {
    double sum = -1;
    for (String line : text.split("\n")) {
      if ((line.startsWith(name + "{") || line.startsWith(name + " ")) && Arrays.stream(labels).allMatch(line::contains)) {
        sum = Math.max(sum, 0) + Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }

  SessionState state(String id) throws Exception {
    return ClusterSharding.get(node.system()).entityRefFor(Session.ENTITY_KEY, id)
        .<SessionState>ask(SessionCommand.GetState::new, TIMEOUT).toCompletableFuture().get();
  }

  /** Waits until the session has ended; its final state. */
  SessionState awaitEnded(String id) {
    SessionState[] last = new SessionState[1];
    await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(50)).until(() -> (last[0] = state(id)).status().isTerminal());
    return last[0];
  }

  /** The session's events as the journal holds them. */
  List<SessionEvent> journal(String id) throws Exception {
    CassandraReadJournal journal = PersistenceQuery.get(node.system().classicSystem())
        .getReadJournalFor(CassandraReadJournal.class, CassandraReadJournal.Identifier());
    List<EventEnvelope> events = journal.currentEventsByPersistenceId(
        PersistenceId.of(Session.ENTITY_KEY.name(), id).id(), 0L, Long.MAX_VALUE)
        .runWith(Sink.seq(), node.system()).toCompletableFuture().get(30, TimeUnit.SECONDS);
    return events.stream().map(e -> (SessionEvent) e.event()).toList();
  }

  /** The fault-free reference: the same spec run straight on a fresh engine. */
  List<Integer> reference(SessionSpec spec) {
    Generation g = ReferenceEngine.of(node.services().workers().engine().model(model).orElseThrow(), 0)
        .start(GenerationRequest.fresh(spec.promptTokens(), SamplingParams.of(spec.sampling())));
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < spec.maxTokens(); i++) {
      out.add(g.next());
    }
    return out;
  }

  AgentStatus agentStatus() throws Exception {
    return node.services().status(node.system()).toCompletableFuture().get();
  }

  /** Uploads {@code jsonl} and creates a batch over it as {@code key}; the batch's id. */
  String createBatch(String key, String jsonl) throws Exception {
    String boundary = "baton" + UUID.randomUUID();
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nbatch\r\n--" + boundary
        + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"in.jsonl\"\r\nContent-Type: application/jsonl"
        + "\r\n\r\n" + jsonl + "\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
    HttpResponse<String> file = HTTP.send(request(key, "/v1/files").header("Content-Type",
        "multipart/form-data; boundary=" + boundary).POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()))
        .build(), HttpResponse.BodyHandlers.ofString());
    String fileId = JSON.readTree(file.body()).get("id").asText();
    return JSON.readTree(post(key, "/v1/batches", "{\"input_file_id\":\"" + fileId
        + "\",\"endpoint\":\"/v1/completions\",\"completion_window\":\"24h\"}").body()).get("id").asText();
  }

  /** A batch line for /v1/completions. */
  String batchLine(String customId, String body) {
    return "{\"custom_id\":\"" + customId + "\",\"method\":\"POST\",\"url\":\"/v1/completions\",\"body\":" + body + "}\n";
  }

  /** Waits until the batch ends; its final object. */
  JsonNode awaitBatch(String key, String batchId) {
    JsonNode[] last = new JsonNode[1];
    await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(200)).until(() -> {
      last[0] = get(key, "/v1/batches/" + batchId);
      return Set.of("completed", "failed", "expired", "cancelled").contains(last[0].get("status").asText());
    });
    return last[0];
  }

  /** The output file's lines, by custom_id; fails on a custom_id seen twice. */
  Map<String, JsonNode> output(String key, JsonNode batch) throws Exception {
    String text = HTTP.send(request(key, "/v1/files/" + batch.get("output_file_id").asText() + "/content").GET()
        .build(), HttpResponse.BodyHandlers.ofString()).body();
    Map<String, JsonNode> byId = new HashMap<>();
    for (String line : text.split("\n")) {
      JsonNode l = JSON.readTree(line);
      if (byId.put(l.get("custom_id").asText(), l) != null) {
        throw new AssertionError("custom_id " + l.get("custom_id") + " is in the output twice: " + text);
      }
    }
    return byId;
  }

  @Override
  public void close() {
    node.close();
  }
}
