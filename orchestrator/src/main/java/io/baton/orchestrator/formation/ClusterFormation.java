package io.baton.orchestrator.formation;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.baton.persistence.BatonConfig;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

/**
 * How a node finds its cluster, decided once before the actor system starts: its canonical address
 * and its seeds. pekko-management's cluster bootstrap would be the first choice, but it needs
 * pekko-discovery at the core's version (1.7.0), which Maven Central does not serve; so seeds are
 * computed instead.
 *
 * <p>On Kubernetes ({@code statefulset}) every pod computes the same list, pod 0 first, from the
 * StatefulSet's stable DNS names. Pekko's seed rules then make any start order work: only the first
 * seed may form a new cluster, and only after no other seed answered; every other node keeps
 * asking the seeds until one lets it in; a restarted pod 0 asks the others first, so it joins the
 * running cluster instead of forming a second one.
 *
 * @param seeds seed node addresses, in order; empty: this node forms a cluster of its own
 */
public record ClusterFormation(String mode, String hostname, String bindHostname, int port, List<String> seeds,
    List<String> roles) {
  private static final Pattern POD = Pattern.compile("(.+)-(\\d+)");

  public ClusterFormation {
    seeds = List.copyOf(seeds);
    roles = List.copyOf(roles);
  }

  public static ClusterFormation fromConfig(Config root) {
    Config c = root.getConfig("baton.orchestrator.cluster");
    String mode = c.getString("formation");
    int port = c.getInt("port");
    List<String> roles = BatonConfig.stringList(c, "roles");
    String bind = c.getString("bind-hostname");
    return switch (mode) {
      case "seed-list" -> new ClusterFormation(mode, c.getString("hostname"), bind, port,
          BatonConfig.stringList(c, "seed-nodes"), roles);
      case "statefulset" -> statefulSet(root.getString("baton.orchestrator.node-id"), c.getConfig("statefulset"),
          bind, port, roles);
      default -> throw new IllegalArgumentException("baton.orchestrator.cluster.formation (BATON_CLUSTER_FORMATION)"
          + " must be seed-list or statefulset, was '" + mode + "'");
    };
  }

  static ClusterFormation statefulSet(String podName, Config s, String bind, int port, List<String> roles) {
    Matcher pod = POD.matcher(podName);
    if (!pod.matches()) {
      throw new IllegalArgumentException("statefulset formation needs the pod name as the node id (BATON_NODE_ID,"
          + " e.g. baton-0 from metadata.name), was '" + podName + "'");
    }
    int replicas = s.getInt("replicas");
    if (replicas < 1) {
      throw new IllegalArgumentException("baton.orchestrator.cluster.statefulset.replicas (BATON_REPLICAS) must be"
          + " at least 1, was " + replicas);
    }
    String set = pod.group(1);
    String suffix = "." + s.getString("service") + "." + s.getString("namespace") + ".svc." + s.getString("domain");
    List<String> seeds = IntStream.range(0, replicas)
        .mapToObj(i -> "pekko://baton@" + set + "-" + i + suffix + ":" + port).toList();
    return new ClusterFormation("statefulset", podName + suffix, bind, port, seeds, roles);
  }

  /** The Pekko settings this formation decides, to lay over the node's config. */
  public Config pekkoConfig() {
    return ConfigFactory.parseMap(Map.of(
        "pekko.remote.artery.canonical.hostname", hostname,
        "pekko.remote.artery.canonical.port", port,
        "pekko.remote.artery.bind.hostname", bindHostname.isBlank() ? hostname : bindHostname,
        "pekko.cluster.seed-nodes", seeds,
        "pekko.cluster.roles", roles));
  }
}
