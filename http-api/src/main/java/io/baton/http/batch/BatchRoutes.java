package io.baton.http.batch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.baton.actors.Printable;
import io.baton.actors.batch.Batch;
import io.baton.actors.batch.BatchCommand;
import io.baton.actors.batch.BatchState;
import io.baton.actors.batch.BatchStatus;
import io.baton.actors.batch.LineError;
import io.baton.http.Json;
import io.baton.http.JsonBody;
import io.baton.http.errors.ApiError;
import io.baton.http.errors.ApiException;
import io.baton.persistence.files.FileStore;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.regex.Pattern;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * OpenAI's Batch API. Creating a batch records it (the {@code Batch} entity); the node's batch
 * driver, asked by the entity itself, validates the input and runs every line as a session.
 * Listing reads the batch index kept beside the files.
 */
public final class BatchRoutes extends AllDirectives {
  static final Set<String> ENDPOINTS = Set.of("/v1/chat/completions", "/v1/completions");
  private static final Duration ASK_TIMEOUT = Duration.ofSeconds(10);
  private static final Pattern BATCH_ID = Pattern.compile("batch_[0-9a-f]{32}");

  private final ActorSystem<?> system;
  private final FileStore files;

  public BatchRoutes(ActorSystem<?> system, FileStore files) {
    this.system = system;
    this.files = files;
  }

  /** The routes under /v1 for the caller's {@code tenant}: only its own batches exist for it. */
  public Route routes(String tenant) {
    return pathPrefix("batches", () -> concat(
        pathEnd(() -> concat(
            post(() -> JsonBody.json(body -> onSuccess(create(body, tenant), s -> complete(Json.ok(object(s)))))),
            get(() -> parameterOptional("after", after -> parameterOptional("limit", limit ->
                onSuccess(list(tenant, after, limit), l -> complete(Json.ok(l)))))))),
        pathPrefix(id -> concat(
            pathEnd(() -> get(() -> onSuccess(known(id, tenant), s -> complete(Json.ok(object(s)))))),
            path("cancel", () -> post(() -> onSuccess(known(id, tenant).thenCompose(s -> mutate(id,
                r -> new BatchCommand.Cancel("cancelled by the client", r))).thenCompose(r -> known(id, tenant)),
                s -> complete(Json.ok(object(s))))))))));
  }

  private CompletionStage<BatchState> create(JsonNode body, String tenant) {
    if (!body.isObject()) {
      throw new ApiException(ApiError.malformed("the request body must be a JSON object"));
    }
    String input = required(body, "input_file_id");
    String endpoint = required(body, "endpoint");
    if (!ENDPOINTS.contains(endpoint)) {
      throw new ApiException(ApiError.invalid("endpoint", "endpoint must be one of " + ENDPOINTS));
    }
    String window = required(body, "completion_window");
    if (!"24h".equals(window)) {
      throw new ApiException(ApiError.invalid("completion_window", "completion_window must be 24h"));
    }
    Map<String, String> metadata = new HashMap<>();
    JsonNode meta = body.get("metadata");
    if (meta != null && !meta.isNull()) {
      if (!meta.isObject() || meta.size() > 16) {
        throw new ApiException(ApiError.invalid("metadata", "metadata is an object of up to 16 string pairs"));
      }
      meta.fields().forEachRemaining(e -> metadata.put(e.getKey(), e.getValue().asText()));
    }
    String id = "batch_" + UUID.randomUUID().toString().replace("-", "");
    return files.get(input).thenCompose(file -> {
      if (file.filter(f -> f.owner().equals(tenant)).isEmpty()) {
        throw new ApiException(ApiError.notFound("no file '" + Printable.of(input) + "'", "input_file_id",
            "file_not_found"));
      }
      return mutate(id, r -> new BatchCommand.Create(input, endpoint, window, metadata, tenant, r));
    }).thenCompose(reply -> files.indexBatch(id, Instant.now(), tenant)).thenCompose(done -> known(id, tenant));
  }

  private CompletionStage<BatchCommand.Reply> mutate(
      String id, java.util.function.Function<org.apache.pekko.actor.typed.ActorRef<BatchCommand.Reply>, BatchCommand> c) {
    return batch(id).<BatchCommand.Reply>ask(c::apply, ASK_TIMEOUT).thenApply(reply -> {
      if (reply instanceof BatchCommand.Rejected r) {
        throw new ApiException(ApiError.from(r.rejection()));
      }
      return reply;
    });
  }

  private CompletionStage<ObjectNode> list(String tenant, Optional<String> after, Optional<String> limit) {
    int n;
    try {
      n = limit.map(Integer::parseInt).orElse(20);
    } catch (NumberFormatException e) {
      throw new ApiException(ApiError.invalid("limit", "limit must be an integer"));
    }
    if (n < 1 || n > 100) {
      throw new ApiException(ApiError.invalid("limit", "limit must be between 1 and 100"));
    }
    return files.batchIds(tenant, after.orElse(null), n + 1).thenCompose(ids -> {
      java.util.List<CompletionStage<BatchState>> states = ids.stream().limit(n).map(id -> known(id, tenant)).toList();
      return java.util.concurrent.CompletableFuture.allOf(states.stream().map(CompletionStage::toCompletableFuture)
          .toArray(java.util.concurrent.CompletableFuture[]::new)).thenApply(v -> {
            ObjectNode o = Json.MAPPER.createObjectNode();
            o.put("object", "list");
            ArrayNode data = o.putArray("data");
            states.forEach(s -> data.add(object(s.toCompletableFuture().join())));
            o.put("first_id", data.isEmpty() ? null : data.get(0).get("id").asText());
            o.put("last_id", data.isEmpty() ? null : data.get(data.size() - 1).get("id").asText());
            o.put("has_more", ids.size() > n);
            return o;
          });
    });
  }

  /**
   * The tenant's batch; another tenant's, or a malformed id, is a 404 like a missing one, and a
   * malformed id never reaches sharding (asking an entity creates and remembers it).
   */
  private CompletionStage<BatchState> known(String id, String tenant) {
    if (!BATCH_ID.matcher(id).matches()) {
      return CompletableFuture.failedFuture(notFound(id));
    }
    return batch(id).<BatchState>ask(BatchCommand.GetState::new, ASK_TIMEOUT).thenApply(s -> {
      if (s.status() == BatchStatus.NEW || !tenant.equals(s.tenant())) {
        throw notFound(id);
      }
      return s;
    });
  }

  private static ApiException notFound(String id) {
    return new ApiException(ApiError.notFound("no batch '" + Printable.of(id) + "'", "batch_id", "batch_not_found"));
  }

  private EntityRef<BatchCommand> batch(String id) {
    return ClusterSharding.get(system).entityRefFor(Batch.ENTITY_KEY, id);
  }

  private static String required(JsonNode body, String field) {
    JsonNode v = body.get(field);
    if (v == null || !v.isTextual() || v.asText().isBlank()) {
      throw new ApiException(ApiError.invalid(field, "you must provide '" + field + "'"));
    }
    return v.asText();
  }

  /** OpenAI's batch object. */
  public static ObjectNode object(BatchState s) {
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("id", s.id());
    o.put("object", "batch");
    o.put("endpoint", s.endpoint());
    if (s.errors().isEmpty()) {
      o.putNull("errors");
    } else {
      ObjectNode errors = o.putObject("errors");
      errors.put("object", "list");
      ArrayNode data = errors.putArray("data");
      for (LineError e : s.errors()) {
        ObjectNode d = data.addObject();
        d.put("code", e.code());
        d.put("message", e.message());
        d.put("param", e.param());
        d.put("line", e.line());
      }
    }
    o.put("input_file_id", s.inputFileId());
    o.put("completion_window", s.completionWindow());
    o.put("status", s.status().wireName());
    o.put("output_file_id", s.outputFileId());
    o.put("error_file_id", s.errorFileId());
    time(o, "created_at", s.createdAt());
    time(o, "in_progress_at", s.inProgressAt());
    time(o, "expires_at", s.expiresAt());
    time(o, "finalizing_at", s.finalizingAt());
    time(o, "completed_at", s.completedAt());
    time(o, "failed_at", s.failedAt());
    time(o, "expired_at", s.expiredAt());
    time(o, "cancelling_at", s.cancellingAt());
    time(o, "cancelled_at", s.cancelledAt());
    ObjectNode counts = o.putObject("request_counts");
    counts.put("total", s.requestCounts().total());
    counts.put("completed", s.requestCounts().completed());
    counts.put("failed", s.requestCounts().failed());
    ObjectNode metadata = o.putObject("metadata");
    s.metadata().forEach(metadata::put);
    return o;
  }

  private static void time(ObjectNode o, String field, Instant at) {
    if (at == null) {
      o.putNull(field);
    } else {
      o.put(field, at.getEpochSecond());
    }
  }
}
