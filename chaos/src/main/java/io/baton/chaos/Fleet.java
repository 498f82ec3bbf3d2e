package io.baton.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Function;
import org.apache.pekko.cluster.sharding.typed.HashCodeMessageExtractor;

/**
 * Reads live state over the nodes' own APIs, the way an operator would: GPU rows from
 * {@code /admin/workers}, sessions from {@code /v1/sessions/{id}}, and which node hosts a session
 * entity from pekko-management's shard listing. Targets are chosen from this, never assumed.
 */
final class Fleet {
  /** One row of {@code GET /admin/workers}. */
  /**
   * @param enginePid the engine server's pid when its node started it (external engines), else null
   * @param pciBusId the GPU's PCI bus id as its host's inventory lists it, else null
   */
  record Gpu(String id, String node, String host, String state, String reason, String by, String since,
      int activeSessions, Long enginePid, String pciBusId) {
    boolean inRotation() {
      return state.equals("active") || state.equals("spare");
    }
  }

  private final NodeDirectory nodes;
  private final int numberOfShards;
  /** Node id to its management address, where the cluster routes live. */
  private final Function<String, String> managementUrlOf;

  Fleet(NodeDirectory nodes, int numberOfShards, Function<String, String> managementUrlOf) {
    this.managementUrlOf = managementUrlOf;
    this.nodes = nodes;
    this.numberOfShards = numberOfShards;
  }

  /** Every GPU some live agent reports; empty when no node answered. */
  List<Gpu> gpus() {
    for (int i = 0; i < nodes.size(); i++) {
      Optional<Http.Reply> r = Http.get(nodes.pick(i) + "/admin/workers");
      if (r.isPresent() && r.get().ok() && r.get().json() != null) {
        List<Gpu> out = new ArrayList<>();
        for (JsonNode row : r.get().json().path("data")) {
          out.add(new Gpu(row.path("id").asText(), row.path("node").asText(), row.path("host").asText(),
              row.path("state").asText(), text(row, "reason"), text(row, "changed_by"), text(row, "since"),
              row.path("active_sessions").asInt(0),
              row.path("engine").path("pid").isIntegralNumber() ? row.path("engine").path("pid").asLong() : null,
              text(row, "pci_bus_id")));
        }
        return out;
      }
    }
    return List.of();
  }

  /**
   * Sessions waiting in the model's admission queue ({@code GET /admin/queues}) as the answering
   * node last heard it: 0 when the model has no queue yet (nothing ever waited); empty when no node
   * answered or its summary is not current.
   */
  OptionalInt waiting(String model) {
    Optional<JsonNode> list = any("/admin/queues");
    if (list.isEmpty()) {
      return OptionalInt.empty();
    }
    for (JsonNode row : list.get().path("data")) {
      if (model.equals(row.path("model").asText())) {
        return row.path("current").asBoolean(false) ? OptionalInt.of(row.path("waiting").asInt()) : OptionalInt.empty();
      }
    }
    return OptionalInt.of(0);
  }

  /** The session's view ({@code GET /v1/sessions/{id}}) from any node that answers. */
  Optional<JsonNode> session(String sessionId) {
    return any("/v1/sessions/" + sessionId);
  }

  /** The session's audit trail ({@code GET /v1/sessions/{id}/events}) from any node that answers. */
  Optional<JsonNode> events(String sessionId) {
    return any("/v1/sessions/" + sessionId + "/events");
  }

  /** The full text of a session's durable tokens, replayed from token 0. */
  Optional<String> replayText(String sessionId) {
    for (int i = 0; i < nodes.size(); i++) {
      Optional<Http.Reply> r = Http.get(nodes.pick(i) + "/v1/sessions/" + sessionId + "/stream?after=-1");
      if (r.isPresent() && r.get().ok()) {
        StringBuilder text = new StringBuilder();
        try (Sse sse = new Sse(new java.io.ByteArrayInputStream(r.get().body().getBytes(
            java.nio.charset.StandardCharsets.UTF_8)))) {
          Sse.Event e;
          while ((e = sse.next()) != null) {
            if (e.token()) {
              text.append(e.text());
            }
          }
        } catch (java.io.IOException impossible) {
          throw new IllegalStateException(impossible);
        }
        return Optional.of(text.toString());
      }
    }
    return Optional.empty();
  }

  /**
   * The node whose shard region hosts the session entity: the shard id by sharding's own default
   * extractor (entity id hash modulo the number of shards), looked up in every node's
   * {@code /cluster/shards/Session} listing (management port). Empty when no live node lists that shard.
   */
  Optional<String> hostOf(String sessionId) {
    Map<String, String> liveNodeUrls = nodes.inService();
    String shard = new HashCodeMessageExtractor<Object>(numberOfShards).shardId(sessionId);
    for (Map.Entry<String, String> node : liveNodeUrls.entrySet()) {
      Optional<Http.Reply> r = Http.get(managementUrlOf.apply(node.getKey()) + "/cluster/shards/Session");
      if (r.isPresent() && r.get().ok() && r.get().json() != null) {
        for (JsonNode region : r.get().json().path("regions")) {
          if (region.path("shardId").asText().equals(shard)) {
            return Optional.of(node.getKey());
          }
        }
      }
    }
    return Optional.empty();
  }

  private Optional<JsonNode> any(String path) {
    for (int i = 0; i < nodes.size(); i++) {
      Optional<Http.Reply> r = Http.get(nodes.pick(i) + path);
      if (r.isPresent() && r.get().ok() && r.get().json() != null) {
        return Optional.of(r.get().json());
      }
    }
    return Optional.empty();
  }

  private static String text(JsonNode row, String field) {
    JsonNode v = row.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }
}
