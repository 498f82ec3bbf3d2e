package io.baton.bench;

import io.baton.chaos.ChaosRuns;
import io.baton.chaos.report.ChaosReport;
import io.baton.chaos.report.RecoverySample;
import io.baton.chaos.report.RecoveryStats;
import io.baton.orchestrator.cluster.LocalCluster;
import io.baton.orchestrator.cluster.NodeProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Recovery time per fault type on a real 3-node cluster (the chaos suite's scenarios and clients),
 * and what each migration cost its new GPU in context tokens, once with KV checkpoints and once
 * without, each on a fresh cluster in the same run.
 */
@Command(name = "recovery", mixinStandardHelpOptions = true,
    description = "Recovery time per fault type, and tokens recomputed per migration with and without KV checkpoints.")
final class RecoveryBench implements Callable<Integer> {

  @Option(names = "--scenarios", split = ",",
      defaultValue = "xid-app,xid-reset,xid-node-fatal,worker-kill,session-host-kill,node-pause,partition",
      description = "Chaos scenarios to run, each --rounds times per setting.")
  List<String> scenarios;

  @Option(names = "--rounds", defaultValue = "2", description = "Runs of each scenario per setting (new seeds).")
  int rounds;

  @Option(names = "--duration", defaultValue = "20", description = "Workload seconds per scenario.")
  int seconds;

  @Option(names = "--seed", defaultValue = "11")
  long seed;

  /** Context tokens of all resumed attempts by kind, summed over the nodes alive at the end. */
  record ResumeTokens(double restored, double cached, double computed, double migrations) {
    double per(double tokens) {
      return migrations == 0 ? 0 : tokens / migrations;
    }
  }

  private record Setting(String name, boolean checkpoints, List<ChaosReport> reports, ResumeTokens tokens) {}

  @Override
  public Integer call() throws Exception {
    List<String> runs = new ArrayList<>();
    for (int r = 0; r < rounds; r++) {
      runs.addAll(scenarios);
    }
    List<Setting> settings = new ArrayList<>();
    for (boolean checkpoints : new boolean[] {true, false}) {
      String name = checkpoints ? "checkpoints on" : "checkpoints off";
      System.err.println("bench recovery: " + name + ", " + runs.size() + " scenario runs");
      ChaosRuns.Result<ResumeTokens> result = ChaosRuns.run(runs, seed, Duration.ofSeconds(seconds),
          Path.of("target", "bench-recovery", checkpoints ? "on" : "off"), 3, 2,
          Map.of("baton.workers.agent.checkpoints", checkpoints ? "on" : "off"), System.err::println,
          RecoveryBench::resumeTokens);
      settings.add(new Setting(name, checkpoints, result.reports(), result.atEnd()));
      Path reportDir = Path.of("target", "bench-recovery", "report-" + (checkpoints ? "on" : "off"));
      System.err.println("bench recovery: " + io.baton.chaos.report.ReportWriter.write(reportDir, result.reports())
          + " (report: " + reportDir.resolve("chaos-report.md") + ")");
    }
    print(settings);
    return 0;
  }

  private static void print(List<Setting> settings) {
    System.out.println("| fault | checkpoints | recoveries | p50 ms | p99 ms | max ms | bound ms | over bound |");
    System.out.println("|---|---|---:|---:|---:|---:|---:|---:|");
    for (Setting s : settings) {
      List<RecoverySample> samples = s.reports().stream().flatMap(r -> r.recoveries().stream()).toList();
      for (RecoveryStats k : RecoveryStats.byKind(samples)) {
        String bound = k.minBound() == k.maxBound() ? String.valueOf(k.minBound()) : k.minBound() + "-" + k.maxBound();
        System.out.printf("| %s | %s | %d | %d | %d | %d | %s | %d |%n", k.faultKind(), s.checkpoints() ? "on" : "off",
            k.count(), k.p50(), k.p99(), k.max(), bound, k.overBound());
      }
    }
    System.out.println();
    System.out.println("| checkpoints | migrations | restored tokens / migration | cached / migration | recomputed / migration"
        + " | scenario runs passed |");
    System.out.println("|---|---:|---:|---:|---:|---:|");
    for (Setting s : settings) {
      ResumeTokens t = s.tokens();
      long passed = s.reports().stream().filter(ChaosReport::passed).count();
      System.out.printf("| %s | %.0f | %.1f | %.1f | %.1f | %d/%d |%n", s.checkpoints() ? "on" : "off", t.migrations(),
          t.per(t.restored()), t.per(t.cached()), t.per(t.computed()), passed, s.reports().size());
    }
    settings.get(0).reports().stream().findFirst().ifPresent(r -> System.out.println(
        "\nfailure detection: " + r.settings().getOrDefault("failure-detection", "?") + "; entity-host bound: "
            + r.settings().getOrDefault("bound entity-host crash", "?")));
  }

  /** Reads baton_resume_tokens from every node still running (a restarted node counts from its restart). */
  static ResumeTokens resumeTokens(LocalCluster cluster) {
    double restored = 0;
    double cached = 0;
    double computed = 0;
    double count = 0;
    for (NodeProcess node : cluster.nodes()) {
      String text = node.isAlive() ? node.get("/metrics").map(r -> r.body()).orElse("") : "";
      for (String line : text.lines().toList()) {
        if (!line.startsWith("baton_resume_tokens_")) {
          continue;
        }
        double value = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        if (line.startsWith("baton_resume_tokens_sum")) {
          if (line.contains("kind=\"restored\"")) {
            restored += value;
          } else if (line.contains("kind=\"cached\"")) {
            cached += value;
          } else if (line.contains("kind=\"computed\"")) {
            computed += value;
          }
        } else if (line.startsWith("baton_resume_tokens_count") && line.contains("kind=\"computed\"")) {
          count += value;
        }
      }
    }
    return new ResumeTokens(restored, cached, computed, count);
  }
}
