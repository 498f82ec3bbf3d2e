package io.baton.orchestrator.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.baton.orchestrator.BatonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code baton node}: one cluster member with explicit identity, ports, seeds and roles, as it runs
 * on a real host (and as {@code baton cluster up} starts each of its nodes).
 */
@Command(name = "node", mixinStandardHelpOptions = true,
    description = "Start one Baton node that joins a cluster through its seeds (an external Cassandra unless"
        + " --embedded-cassandra).")
final class NodeCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(NodeCommand.class);

  @Spec
  CommandSpec spec;

  // As in `baton up`, an option left out leaves the value to the config and its environment variables.
  @Option(names = "--node-id", description = "Stable node name; its GPUs register under it (default node-1).")
  String nodeId;

  @Option(names = "--cluster-host", description = "Address other nodes reach this one on (default 127.0.0.1).")
  String clusterHost;

  @Option(names = "--cluster-port", description = "Pekko cluster port (default 2551).")
  Integer clusterPort;

  @Option(names = "--http-port", description = "HTTP port (default 8080).")
  Integer httpPort;

  @Option(names = "--management-port", description = "pekko-management's port: /alive, /ready, /cluster,"
      + " /loglevel (default 8558; 0 picks a free one).")
  Integer managementPort;

  @Option(names = "--seeds", split = ",", paramLabel = "pekko://baton@host:port",
      description = "Seed nodes; a first seed that is this node itself forms the cluster if no other seed answers."
          + " None: this node forms a cluster of its own.")
  List<String> seeds;

  @Option(names = "--roles", split = ",", description = "Cluster roles (default orchestrator,worker); a node"
      + " without 'worker' runs no worker agent and no GPUs.")
  List<String> roles;

  @Option(names = "--hosts", description = "Simulated GPU hosts on this node (0: no GPUs).")
  Integer hosts;

  @Option(names = "--gpus-per-host", description = "Simulated GPUs per host.")
  Integer gpusPerHost;

  @Option(names = "--spares", description = "How many of this node's simulated GPUs start as spares.")
  Integer spares;

  @Option(names = "--cassandra", split = ",", paramLabel = "host:port",
      description = "The Cassandra cluster to use (required unless --embedded-cassandra or set in the config).")
  List<String> cassandra;

  @Option(names = "--embedded-cassandra", description = "Start a Cassandra child as `baton up` does"
      + " (baton.persistence.embedded.*).")
  boolean embeddedCassandra;

  @Option(names = "--set", paramLabel = "key=value", description = "A config override, e.g. --set"
      + " baton.actors.session.lease=3s (repeatable; wins over every other option).")
  List<String> sets = new ArrayList<>();

  @Option(names = "--chaos", description = "Serve fault injection under /admin/chaos (off by default on a node;"
      + " `baton up` and `baton cluster up` turn it on for dev).")
  boolean chaos;

  @Option(names = "--kernel-log", paramLabel = "FILE", description = KernelLogOption.DESCRIPTION)
  Path kernelLog;

  @Option(names = "--parent-pid", hidden = true, description = "Stop when this process exits (LocalCluster's children).")
  Long parentPid;

  @Override
  public Integer call() throws Exception {
    Config config = config();
    if (parentPid != null) {
      stopWith(parentPid);
    }
    return NodeRunner.run(config, log);
  }

  /** The node's configuration from the options, the config files and the environment. */
  Config config() {
    Map<String, Object> overrides = new HashMap<>();
    put(overrides, "baton.orchestrator.node-id", nodeId);
    put(overrides, "baton.orchestrator.cluster.hostname", clusterHost);
    put(overrides, "baton.orchestrator.cluster.port", clusterPort);
    put(overrides, "baton.orchestrator.cluster.seed-nodes", seeds);
    put(overrides, "baton.orchestrator.cluster.roles", roles);
    put(overrides, "baton.http.port", httpPort);
    put(overrides, "baton.management.port", managementPort);
    // A node on a real host injects no faults unless asked: never inherited from a dev default.
    overrides.put("baton.http.chaos", chaos);
    put(overrides, "baton.orchestrator.simulated-fleet.hosts", hosts);
    put(overrides, "baton.orchestrator.simulated-fleet.gpus-per-host", gpusPerHost);
    put(overrides, "baton.orchestrator.simulated-fleet.spares", spares);
    if (cassandra != null && !cassandra.isEmpty() && embeddedCassandra) {
      throw new CommandLine.ParameterException(spec.commandLine(), "choose --cassandra or --embedded-cassandra");
    }
    put(overrides, "baton.persistence.contact-points", embeddedCassandra ? List.of() : cassandra);
    if (kernelLog != null) {
      overrides.putAll(KernelLogOption.config(kernelLog));
    }
    Config config = BatonNode.loadConfig(sets(spec.commandLine(), sets).withFallback(ConfigFactory.parseMap(overrides)));
    if (!embeddedCassandra && config.getStringList("baton.persistence.contact-points").isEmpty()) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "baton node needs a Cassandra: --cassandra host:port[,host:port] (or --embedded-cassandra on a dev box)");
    }
    return config;
  }

  private static void put(Map<String, Object> overrides, String key, Object value) {
    if (value != null) {
      overrides.put(key, value);
    }
  }

  /**
   * {@code key=value} overrides. A value starting with [, { or a quote is HOCON (lists, objects);
   * anything else is a plain string, so addresses like pekko://... need no quoting. Config's
   * getters convert strings to numbers, booleans and durations.
   */
  static Config sets(CommandLine cmd, List<String> sets) {
    Config out = ConfigFactory.empty();
    for (String set : sets) {
      int eq = set.indexOf('=');
      if (eq < 1) {
        throw new CommandLine.ParameterException(cmd, "--set needs key=value, got: " + set);
      }
      String key = set.substring(0, eq).trim();
      String value = set.substring(eq + 1).trim();
      Config one = value.startsWith("[") || value.startsWith("{") || value.startsWith("\"")
          ? ConfigFactory.parseString(key + " = " + value)
          : com.typesafe.config.ConfigValueFactory.fromAnyRef(value).atPath(key);
      out = one.withFallback(out);
    }
    return out;
  }

  /** Exits this JVM (running its shutdown, so it leaves the cluster) once the given process is gone. */
  private static void stopWith(long pid) {
    Runnable exit = () -> {
      log.warn("parent process pid={} is gone; stopping", pid);
      System.exit(0);
    };
    ProcessHandle.of(pid).ifPresentOrElse(parent -> parent.onExit().thenRun(exit), exit);
  }
}
