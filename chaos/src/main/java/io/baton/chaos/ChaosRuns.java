package io.baton.chaos;

import io.baton.chaos.report.ChaosReport;
import io.baton.orchestrator.cluster.ClusterOptions;
import io.baton.orchestrator.cluster.LocalCluster;
import io.baton.orchestrator.cluster.NetworkNamespaces;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs chosen scenarios on a fresh local cluster: what {@code ./baton chaos run} and
 * {@code ./baton bench recovery} share. The cluster lives in {@code dir} (deleted first if an
 * earlier run made it), and stops when the scenarios are done.
 */
public final class ChaosRuns {
  private static final Logger log = LoggerFactory.getLogger(ChaosRuns.class);

  private ChaosRuns() {}

  /**
   * The reports, and whatever {@code atEnd} read from the cluster before it stopped.
   *
   * @param <T> what {@code atEnd} reads, e.g. the nodes' metrics
   */
  public record Result<T>(List<ChaosReport> reports, T atEnd) {}

  /** The names {@code run} accepts. */
  public static List<String> scenarioNames() {
    return Scenario.names();
  }

  /**
   * @param extraConfig HOCON overrides for every node on top of the suite's own, e.g. KV checkpoints off
   * @param atEnd called with the cluster after the last scenario, before it stops
   */
  public static <T> Result<T> run(List<String> scenarios, long seed, Duration duration, Path dir, int nodes,
      int gpusPerNode, Map<String, String> extraConfig, Consumer<String> progress, Function<LocalCluster, T> atEnd)
      throws Exception {
    List<Scenario> chosen = new ArrayList<>();
    for (String name : scenarios) {
      chosen.add(Scenario.named(name).orElseThrow(() -> new IllegalArgumentException(
          "no scenario '" + name + "'; one of " + Scenario.names())));
    }
    Path clusterDir = fresh(dir.toAbsolutePath());
    Map<String, String> config = new LinkedHashMap<>(ScenarioRunner.nodeConfig());
    config.putAll(extraConfig);
    // Network namespaces let the partition scenarios cut links; they need root, loopback does not.
    boolean isolated = NetworkNamespaces.available();
    ClusterOptions options = ClusterOptions.defaults(clusterDir, nodes, gpusPerNode).withNodeConfig(config)
        .withIsolatedNetwork(isolated);
    Http.useAdminToken(options.adminToken());
    progress.accept("chaos: starting " + nodes + " nodes x " + gpusPerNode + " GPUs (" + options.spares()
        + " spares) under " + clusterDir + (isolated ? ", each node in its own network namespace"
        : ", on loopback (not root: the partition scenarios will report their fault as not injected)"));
    long t0 = System.nanoTime();
    List<ChaosReport> reports = new ArrayList<>();
    try (LocalCluster cluster = LocalCluster.start(options)) {
      progress.accept("chaos: cluster up in " + (System.nanoTime() - t0) / 1_000_000_000 + " s");
      ScenarioRunner runner = new ScenarioRunner(cluster, ScenarioRunner.Options.of(seed, duration, nodes), progress);
      for (int i = 0; i < chosen.size(); i++) {
        try {
          reports.add(runner.run(chosen.get(i), i));
        } catch (Exception e) {
          log.error("chaos scenario crashed scenario={}", chosen.get(i).name(), e);
          throw e;
        }
      }
      return new Result<>(reports, atEnd.apply(cluster));
    }
  }

  /** The cluster directory, emptied if an earlier chaos run made it: a fresh Cassandra keeps runs independent. */
  private static Path fresh(Path dir) throws java.io.IOException {
    if (Files.exists(dir.resolve(".chaos-cluster"))) {
      try (var paths = Files.walk(dir)) {
        for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
    Files.createDirectories(dir);
    Files.writeString(dir.resolve(".chaos-cluster"), "created by the chaos suite; deleted by its next run\n");
    return dir;
  }
}
