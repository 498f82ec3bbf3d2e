package io.baton.orchestrator.cluster;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * What {@link LocalCluster} starts: {@code nodes} JVMs with {@code gpusPerNode} simulated GPUs each
 * (one simulated host per node, so a node-fatal XID takes exactly one node's GPUs out).
 *
 * @param dir where node logs go ({@code <nodeId>.log}) and, when embedded, Cassandra's data
 *     ({@code dir/cassandra})
 * @param spares spare GPUs in total, one per node starting from the last node, so the seed keeps
 *     its GPUs active and spares sit on other nodes than most active GPUs
 * @param contactPoints an external Cassandra; empty: LocalCluster starts its own
 * @param nodeConfig HOCON overrides for every node, e.g. {@code baton.actors.session.lease -> 3s}
 * @param jvmOptions the child JVMs' options; empty means {@link #DEFAULT_JVM_OPTIONS}
 * @param isolatedNetwork each node in its own network namespace ({@link NetworkNamespaces}, root
 *     only), so that {@link LocalCluster#partition} can cut links; otherwise all on loopback
 */
public record ClusterOptions(Path dir, int nodes, int gpusPerNode, int spares, List<String> contactPoints,
    Map<String, String> nodeConfig, List<String> jvmOptions, boolean isolatedNetwork) {

  /**
   * A small heap, but the throughput collector and a common pool of 4: with two cores per box the
   * JDK would size the common pool to 1 and start a thread per async stage (see JvmDefaults).
   */
  public static final String ADMIN_TOKEN = "baton.http.admin-token";

  public static final List<String> DEFAULT_JVM_OPTIONS = List.of("-Xms128m", "-Xmx512m", "-XX:+UseParallelGC",
      "-Djava.util.concurrent.ForkJoinPool.common.parallelism=4");

  public ClusterOptions {
    if (nodes < 1) {
      throw new IllegalArgumentException("a cluster needs at least one node: " + nodes);
    }
    if (gpusPerNode < 0 || spares < 0) {
      throw new IllegalArgumentException("gpus-per-node and spares must not be negative");
    }
    if (spares > nodes * gpusPerNode) {
      throw new IllegalArgumentException("spares (" + spares + ") exceed the GPUs (" + nodes * gpusPerNode + ")");
    }
    contactPoints = List.copyOf(contactPoints);
    nodeConfig = withAdminToken(nodeConfig);
    jvmOptions = jvmOptions.isEmpty() ? DEFAULT_JVM_OPTIONS : List.copyOf(jvmOptions);
  }

  /** Embedded Cassandra, no overrides, 2 spares (or nodes - 1 when fewer nodes). */
  public static ClusterOptions defaults(Path dir, int nodes, int gpusPerNode) {
    return new ClusterOptions(dir, nodes, gpusPerNode, Math.min(Math.min(2, nodes - 1), nodes * gpusPerNode),
        List.of(), Map.of(), List.of(), false);
  }

  public ClusterOptions withSpares(int spares) {
    return new ClusterOptions(dir, nodes, gpusPerNode, spares, contactPoints, nodeConfig, jvmOptions, isolatedNetwork);
  }

  public ClusterOptions withContactPoints(List<String> contactPoints) {
    return new ClusterOptions(dir, nodes, gpusPerNode, spares, contactPoints, nodeConfig, jvmOptions, isolatedNetwork);
  }

  public ClusterOptions withNodeConfig(Map<String, String> nodeConfig) {
    return new ClusterOptions(dir, nodes, gpusPerNode, spares, contactPoints, nodeConfig, jvmOptions, isolatedNetwork);
  }

  public ClusterOptions withIsolatedNetwork(boolean isolated) {
    return new ClusterOptions(dir, nodes, gpusPerNode, spares, contactPoints, nodeConfig, jvmOptions, isolated);
  }

  /** The admin token every node of the cluster takes and its operator and tools send to /admin. */
  public String adminToken() {
    return nodeConfig.get(ADMIN_TOKEN);
  }

  /**
   * A cluster's nodes may bind beyond loopback (network namespaces), where a node needs an admin
   * token to start: unless one is given, each cluster draws its own.
   */
  private static Map<String, String> withAdminToken(Map<String, String> nodeConfig) {
    if (nodeConfig.containsKey(ADMIN_TOKEN)) {
      return Map.copyOf(nodeConfig);
    }
    byte[] bytes = new byte[16];
    new SecureRandom().nextBytes(bytes);
    Map<String, String> out = new HashMap<>(nodeConfig);
    out.put(ADMIN_TOKEN, HexFormat.of().formatHex(bytes));
    return Map.copyOf(out);
  }

  /** "node-1", "node-2", ...; node-1 is the seed. */
  public static String nodeId(int index) {
    return "node-" + (index + 1);
  }

  /** Spare GPUs of the node at {@code index} (0-based): spares go one per node from the last node. */
  public int sparesOf(int index) {
    int fromLast = nodes - 1 - index;
    int count = spares / nodes + (fromLast < spares % nodes ? 1 : 0);
    return Math.min(count, gpusPerNode);
  }
}
