package io.baton.orchestrator.cluster;

import io.baton.orchestrator.RememberStore;
import java.io.File;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The {@code java ... BatonCli node ...} command line of one local cluster node. */
final class NodeCommandLine {
  private NodeCommandLine() {}

  static List<String> of(ClusterOptions options, String classpath, String nodeId, String host, int httpPort,
      int clusterPort, int managementPort, List<String> seeds, int spares, List<String> contactPoints) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(options.jvmOptions());
    if (options.jvmOptions().stream().noneMatch(o -> o.startsWith("-Dlogback.configurationFile="))) {
      // Under surefire the classpath also holds a test logback config; nodes log as ./baton up does.
      command.add("-Dlogback.configurationFile=logback.xml");
    }
    command.addAll(RememberStore.JVM_FLAGS);
    command.add("-cp");
    command.add(classpath);
    command.add("io.baton.orchestrator.cli.BatonCli");
    command.add("node");
    command.addAll(List.of("--node-id", nodeId, "--cluster-host", host, "--cluster-port",
        Integer.toString(clusterPort), "--http-port", Integer.toString(httpPort), "--management-port", Integer.toString(managementPort), "--seeds", String.join(",", seeds),
        "--roles", "orchestrator,worker", "--hosts", "1", "--gpus-per-host", Integer.toString(options.gpusPerNode()),
        "--spares", Integer.toString(spares), "--cassandra", String.join(",", contactPoints),
        // A node whose parent died (even by kill -9) stops too, rather than lingering on its ports.
        "--parent-pid", Long.toString(ProcessHandle.current().pid())));
    command.addAll(List.of("--set", "baton.http.host=" + host, "--chaos"));
    // Each cluster keeps its nodes' remembered sessions apart from every other run's.
    command.addAll(List.of("--set", "baton.orchestrator.state-dir="
        + options.dir().resolve("node-state").toAbsolutePath()));
    for (Map.Entry<String, String> e : options.nodeConfig().entrySet()) {
      // The admin token goes in the node's environment (LocalCluster), not on a command line anyone can list.
      if (!e.getKey().equals(ClusterOptions.ADMIN_TOKEN)) {
        command.addAll(List.of("--set", e.getKey() + "=" + e.getValue()));
      }
    }
    return command;
  }

  /** Surefire's or the launcher's classpath, absolute, so the children do not depend on a working directory. */
  static String absoluteClasspath(String classpath) {
    return String.join(File.pathSeparator, Arrays.stream(classpath.split(File.pathSeparator))
        .filter(e -> !e.isBlank())
        .map(e -> e.endsWith("*") ? Path.of(e.substring(0, e.length() - 1)).toAbsolutePath() + File.separator + "*"
            : Path.of(e).toAbsolutePath().toString())
        .toList());
  }
}
