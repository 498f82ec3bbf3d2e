package io.baton.orchestrator.api;

import com.datastax.oss.driver.api.core.CqlSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.baton.orchestrator.BatonNode;
import io.baton.orchestrator.TestNodes;
import io.baton.persistence.testing.CassandraTestExtension;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Generated request bodies against a real node: mutated fields, wrong types, huge and negative
 * numbers, NaN, deep nesting, unicode edge cases, missing and extra fields. Every answer must be a
 * success or a well-formed OpenAI error object (never a 500 or a dropped connection), and a
 * refused request must persist nothing: the journal holds exactly as many new sessions and batches
 * as requests succeeded.
 */
class RequestFuzzIT {
  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  static final String KEY = "sk-fuzz";
  static final String ADMIN = "admin-fuzz";
  static final List<String> FIELDS = List.of("model", "prompt", "messages", "max_tokens", "max_completion_tokens",
      "temperature", "top_p", "n", "seed", "stream", "stream_options", "stop", "user", "logprobs", "tools",
      "input_file_id", "endpoint", "completion_window", "metadata", "reason", "code", "factor", "zzz");

  static BatonNode node;
  static CqlSession cql;

  @BeforeContainer
  static void start() throws Exception {
    String[] contact = CassandraTestExtension.startOutsideJupiter().contactPoint().split(":");
    node = TestNodes.start(TestNodes.nodeId("fuzz"), Map.of(
        "baton.http.api-keys", "fuzz:" + KEY,
        "baton.http.admin-token", ADMIN,
        "baton.workers.engine.timing.decode-per-token", "0ms",
        "baton.workers.engine.timing.prefill-per-token", "0ms"));
    cql = CqlSession.builder().addContactPoint(new InetSocketAddress(contact[0], Integer.parseInt(contact[1])))
        .withLocalDatacenter("datacenter1").build();
  }

  @AfterContainer
  static void stop() {
    if (cql != null) {
      cql.close();
    }
    if (node != null) {
      node.close();
    }
  }

  @Property(tries = 120)
  void chatCompletions(@ForAll("chatBodies") String body) throws Exception {
    answersCleanly("/v1/chat/completions", KEY, body);
  }

  @Property(tries = 120)
  void completions(@ForAll("completionBodies") String body) throws Exception {
    answersCleanly("/v1/completions", KEY, body);
  }

  @Property(tries = 80)
  void batches(@ForAll("batchBodies") String body) throws Exception {
    answersCleanly("/v1/batches", KEY, body);
  }

  @Property(tries = 80)
  void adminRoutes(@ForAll("adminBodies") String body, @ForAll("adminPaths") String path) throws Exception {
    answersCleanly(path, ADMIN, body);
  }

  /** One request: a success or an error object, and the journal grows only by what succeeded. */
  static void answersCleanly(String path, String key, String body) throws Exception {
    long before = persisted();
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(node.httpAddress() + path))
        .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
        .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
    int status = r.statusCode();
    if (status >= 500) {
      throw new AssertionError(status + " for " + body + ": " + r.body());
    }
    boolean success = status < 300;
    if (!success) {
      JsonNode error = JSON.readTree(r.body()).get("error");
      if (error == null || !error.path("message").isTextual() || !error.path("type").isTextual()
          || !error.has("param") || !error.has("code")) {
        throw new AssertionError("not an OpenAI error object (" + status + ") for " + body + ": " + r.body());
      }
    }
    long grew = persisted() - before;
    boolean creates = path.startsWith("/v1/") && success;
    if (grew != (creates ? 1 : 0)) {
      throw new AssertionError("the journal grew by " + grew + " entities for a " + status + " to " + body);
    }
  }

  /** Session and batch entities with events in the journal. */
  static long persisted() {
    return cql.execute("SELECT DISTINCT persistence_id, partition_nr FROM baton_journal.messages").all().stream()
        .map(row -> row.getString("persistence_id"))
        .filter(id -> id.startsWith("Session|") || id.startsWith("Batch|"))
        .distinct().count();
  }

  @Provide
  Arbitrary<String> chatBodies() {
    return mutated("{\"model\":\"baton-small\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":3}");
  }

  @Provide
  Arbitrary<String> completionBodies() {
    return mutated("{\"model\":\"baton-small\",\"prompt\":\"the GPU\",\"max_tokens\":3,\"seed\":7}");
  }

  @Provide
  Arbitrary<String> batchBodies() {
    return mutated("{\"input_file_id\":\"file-none\",\"endpoint\":\"/v1/completions\",\"completion_window\":\"24h\"}");
  }

  @Provide
  Arbitrary<String> adminBodies() {
    return mutated("{\"reason\":\"fuzz\",\"code\":13,\"factor\":2.0}");
  }

  @Provide
  Arbitrary<String> adminPaths() {
    return Arbitraries.of("/admin/workers/no-such-gpu/cordon", "/admin/workers/no-such-gpu/drain",
        "/admin/chaos/workers/no-such-gpu/xid", "/admin/chaos/workers/no-such-gpu/slow");
  }

  /** A valid body with one to three of its fields changed, removed or added, or raw text instead. */
  static Arbitrary<String> mutated(String valid) {
    Arbitrary<String> edited = Arbitraries.integers().between(1, 3).flatMap(n ->
        Arbitraries.of(FIELDS).list().ofSize(n).flatMap(fields -> values().list().ofSize(n).flatMap(vals ->
            Arbitraries.integers().between(0, 2).list().ofSize(n).map(actions -> {
              try {
                ObjectNode body = (ObjectNode) JSON.readTree(valid);
                for (int i = 0; i < n; i++) {
                  if (actions.get(i) == 0) {
                    body.remove(fields.get(i));
                  } else {
                    body.set(fields.get(i), JSON.readTree(vals.get(i)));
                  }
                }
                return JSON.writeValueAsString(body);
              } catch (Exception invalidFragment) {
                // A fragment that is not JSON by itself (NaN, deep nesting) goes in as raw text.
                return valid.substring(0, valid.length() - 1) + ",\"" + fields.get(0) + "\":" + vals.get(0) + "}";
              }
            }))));
    Arbitrary<String> raw = Arbitraries.oneOf(values(), Arbitraries.strings().ofMaxLength(64),
        Arbitraries.of(valid + "garbage", valid + valid, valid.substring(0, valid.length() / 2), "", "{}", "[]"));
    return Arbitraries.frequencyOf(Tuple.of(4, edited), Tuple.of(1, raw));
  }

  /** JSON fragments, and a few things that only look like JSON. */
  static Arbitrary<String> values() {
    return Arbitraries.oneOf(
        Arbitraries.of("null", "true", "false", "0", "-1", "1e309", "-1e309", "NaN", "Infinity", "2147483648",
            "-9223372036854775809", "99999999999999999999999999", "0.0000001", "\"\"", "[]", "{}", "[null]",
            "\"\\u0000\"", "\"\\ud800\"", "\"\\u202e\\u2028\"", "\"\\ud83d\\ude00\"", "{\"role\":\"user\"}",
            "[{\"role\":\"system\",\"content\":[{\"type\":\"image_url\"}]}]", "\"24h\"", "\"baton-small\""),
        Arbitraries.integers().map(String::valueOf),
        Arbitraries.longs().map(String::valueOf),
        Arbitraries.doubles().map(String::valueOf),
        Arbitraries.strings().ofMaxLength(40).map(s -> {
          try {
            return JSON.writeValueAsString(s);
          } catch (Exception e) {
            return "\"\"";
          }
        }),
        Arbitraries.integers().between(1, 3000).map(depth -> "[".repeat(depth) + "]".repeat(depth)),
        Arbitraries.strings().withChars('a', 'Z', '\u00e9', '\u4e2d').ofMinLength(1000).ofMaxLength(9000)
            .map(s -> "\"" + s + "\""));
  }
}
