package io.baton.orchestrator.cli;

import io.baton.orchestrator.cluster.ClusterOptions;
import io.baton.orchestrator.cluster.LocalCluster;
import io.baton.orchestrator.cluster.NodeProcess;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code baton cluster up}: a multi-node cluster on this machine, one JVM per node, sharing one Cassandra. */
@Command(name = "cluster", mixinStandardHelpOptions = true, description = "A local multi-JVM Baton cluster.",
    subcommands = {ClusterCommand.Up.class})
final class ClusterCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand: baton cluster up");
  }

  @Command(name = "up", mixinStandardHelpOptions = true,
      description = "Start Cassandra and N Baton nodes (orchestrator and worker roles) on loopback; Ctrl-C stops all.")
  static final class Up implements Callable<Integer> {
    @Option(names = "--nodes", defaultValue = "3", description = "Nodes (default ${DEFAULT-VALUE}).")
    int nodes;

    @Option(names = "--gpus-per-node", defaultValue = "2", description = "Simulated GPUs per node (default"
        + " ${DEFAULT-VALUE}).")
    int gpusPerNode;

    @Option(names = "--spares", description = "Spare GPUs in all, one per node from the last node (default 2, or"
        + " nodes - 1 when fewer).")
    Integer spares;

    @Option(names = "--data-dir", defaultValue = "data/cluster", description = "Node logs and Cassandra's data"
        + " (default ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--base-http-port", defaultValue = "8080", description = "node-1 serves HTTP here, node-2 on the"
        + " next port, ... (default ${DEFAULT-VALUE}; 0: free ports).")
    int baseHttpPort;

    @Option(names = "--cassandra", split = ",", paramLabel = "host:port",
        description = "Use this external Cassandra and start none.")
    List<String> cassandra = new ArrayList<>();

    @Option(names = "--set", paramLabel = "key=value", description = "A config override for every node (repeatable).")
    List<String> sets = new ArrayList<>();

    @Option(names = "--kernel-log", paramLabel = "FILE", description = KernelLogOption.DESCRIPTION
        + " Every node follows FILE; each claims only its own GPUs' bus ids.")
    Path kernelLog;

    @Option(names = "--engines", paramLabel = "in-process|external", description = EnginesOption.DESCRIPTION)
    String engines;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      Map<String, String> nodeConfig = new HashMap<>(kernelLog == null ? Map.of() : KernelLogOption.config(kernelLog));
      if (engines != null) {
        nodeConfig.put(EnginesOption.KEY, engines);
      }
      for (String set : sets) {
        int eq = set.indexOf('=');
        if (eq < 1) {
          throw new CommandLine.ParameterException(spec.commandLine(), "--set needs key=value, got: " + set);
        }
        nodeConfig.put(set.substring(0, eq).trim(), set.substring(eq + 1).trim());
      }
      ClusterOptions defaults = ClusterOptions.defaults(dataDir, nodes, gpusPerNode);
      ClusterOptions options = defaults.withSpares(spares == null ? defaults.spares() : spares)
          .withContactPoints(cassandra).withNodeConfig(nodeConfig);
      PrintStream out = System.out;
      out.println("baton: starting Cassandra and " + nodes + " nodes; node logs go to " + dataDir);
      // LocalCluster's shutdown hook stops every node, then Cassandra, on Ctrl-C or SIGTERM.
      LocalCluster cluster = LocalCluster.start(options, baseHttpPort);
      writeToken(options);
      print(out, cluster, options);
      CountDownLatch forever = new CountDownLatch(1);
      for (NodeProcess node : cluster.nodes()) {
        node.onExit().thenRun(() -> {
          if (!cluster.isClosing()) {
            out.println("baton: " + node.nodeId() + " (pid " + node.pid() + ") exited with status " + node.exitValue()
                + "; see " + node.logFile());
          }
        });
      }
      forever.await();
      return 0;
    }

    private static Path tokenFile(ClusterOptions options) {
      return options.dir().resolve("admin-token").toAbsolutePath();
    }

    /** The admin token in a file only its owner reads, for curl and scripts. */
    private static void writeToken(ClusterOptions options) throws IOException {
      Path file = tokenFile(options);
      Files.deleteIfExists(file);
      Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(file, options.adminToken());
    }

    private static void print(PrintStream out, LocalCluster cluster, ClusterOptions options) {
      String cassandraLine = cluster.cassandra() == null ? String.join(",", cluster.contactPoints()) + " (external)"
          : cluster.cassandra().contactPoint() + " pid=" + cluster.cassandraPid() + " data="
              + cluster.cassandra().baseDir();
      out.println("baton: cluster up; Cassandra " + cassandraLine);
      List<NodeProcess> nodes = cluster.nodes();
      for (int i = 0; i < nodes.size(); i++) {
        NodeProcess n = nodes.get(i);
        List<String> gpus = new ArrayList<>();
        int firstSpare = n.gpuIds().size() - options.sparesOf(i);
        for (int g = 0; g < n.gpuIds().size(); g++) {
          gpus.add(n.gpuIds().get(g) + (g >= firstSpare ? "(spare)" : ""));
        }
        out.printf("baton: %s pid=%d http=%s cluster=%s gpus=%s log=%s%n", n.nodeId(), n.pid(), n.httpUrl(),
            n.clusterAddress(), String.join(",", gpus), n.logFile());
      }
      String first = nodes.get(0).httpUrl();
      out.println("baton: any node serves the API, e.g. curl " + first + "/v1/models");
      out.println("baton: /admin needs the cluster's admin token, e.g. curl -H \"Authorization: Bearer $(cat "
          + tokenFile(options) + ")\" " + first + "/admin/workers");
      out.println("baton: stop with Ctrl-C (stops every node, then Cassandra)");
    }
  }
}
