package io.baton.orchestrator;

import com.typesafe.config.ConfigFactory;
import io.baton.persistence.testing.CassandraTestExtension;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Whole nodes for integration tests: on the test JVM's Cassandra, free ports, a node id of their own. */
public final class TestNodes {
  private TestNodes() {}

  /** A node id no other test uses, so each node registers fresh GPUs. */
  public static String nodeId(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** Starts a node as {@code nodeId}; {@code overrides} win over the test defaults. */
  public static BatonNode start(String nodeId, Map<String, Object> overrides) throws Exception {
    Map<String, Object> config = new HashMap<>(Map.of(
        "baton.http.port", 0,
        "baton.management.port", 0,
        "baton.orchestrator.cluster.port", 0,
        "baton.orchestrator.node-id", nodeId,
        "baton.orchestrator.state-dir", "target/node-state",
        "baton.persistence.contact-points", List.of(CassandraTestExtension.cassandra().contactPoint())));
    config.putAll(overrides);
    return BatonNode.start(BatonNode.loadConfig(ConfigFactory.parseMap(config)));
  }
}
