package io.baton.chaos;

import io.baton.chaos.report.ChaosReport;
import io.baton.chaos.report.ReportWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ./baton chaos run <scenario|all> --seed N --duration 60s --out chaos-out}: starts one local
 * cluster, runs the scenarios in order on it, writes the report and prints the one-line verdict.
 * Exit status 0 when every invariant of every scenario held, 1 otherwise.
 */
@Command(name = "chaos", mixinStandardHelpOptions = true, description = "The chaos suite.",
    subcommands = {ChaosMain.Run.class})
public final class ChaosMain {

  public static void main(String[] args) {
    io.baton.persistence.JvmDefaults.apply();
    // "./baton chaos run ..." and "ChaosMain run ..." both work.
    String[] rest = args.length > 0 && args[0].equals("chaos") ? Arrays.copyOfRange(args, 1, args.length) : args;
    int code = new CommandLine(new ChaosMain()).registerConverter(Duration.class, ChaosMain::duration).execute(rest);
    System.exit(code); // driver and HTTP client threads must not keep the JVM alive
  }

  @Command(name = "run", mixinStandardHelpOptions = true,
      description = "Run a scenario (or all) against a fresh local cluster; exit 0 on PASS, 1 on FAIL.")
  static final class Run implements Callable<Integer> {
    @Parameters(index = "0", description = "a scenario name, several joined by commas, or all:"
        + " ${COMPLETION-CANDIDATES}",
        completionCandidates = Names.class)
    String scenario;

    @Option(names = "--seed", description = "run seed: the workload and every request's seed derive from it",
        defaultValue = "1")
    long seed;

    @Option(names = "--duration", description = "workload length per scenario, e.g. 60s", defaultValue = "60s")
    Duration duration;

    @Option(names = "--out", description = "report directory", defaultValue = "chaos-out")
    Path out;

    @Option(names = "--nodes", description = "node JVMs in the local cluster", defaultValue = "3")
    int nodes;

    @Option(names = "--gpus-per-node", description = "simulated GPUs per node (spares included)",
        defaultValue = "2")
    int gpusPerNode;

    @Option(names = "--engines", description = "in-process (default) or external: every GPU an engine server"
        + " process and a kernel log the nodes follow; adds engine-kill and kmsg-xid to all", defaultValue = "in-process")
    String engines;

    @Override
    public Integer call() throws Exception {
      boolean external = engines.equals("external");
      if (!external && !engines.equals("in-process")) {
        throw new CommandLine.ParameterException(new CommandLine(this), "--engines is in-process or external");
      }
      List<String> names = new ArrayList<>(scenario.equals("all") ? Scenario.names() : List.of(scenario.split(",")));
      if (scenario.equals("all") && external) {
        Scenario.EXTERNAL_ENGINES.forEach(s -> names.add(s.name()));
      }
      List<Scenario> scenarios = new ArrayList<>();
      for (String name : names) {
        Scenario s = Scenario.named(name.trim()).orElseThrow(() -> new CommandLine.ParameterException(
            new CommandLine(this), "no scenario '" + name + "'; one of " + Scenario.names() + ", "
                + Scenario.EXTERNAL_ENGINES.stream().map(Scenario::name).toList() + " or all"));
        if (Scenario.needsExternalEngines(s) && !external) {
          throw new CommandLine.ParameterException(new CommandLine(this),
              "scenario " + s.name() + " needs engine server processes: add --engines external");
        }
        scenarios.add(s);
      }
      Map<String, String> config = new HashMap<>();
      if (external) {
        // The nodes follow one kernel log; each claims only its own GPUs' (simulated) bus ids.
        Path kernelLog = out.toAbsolutePath().resolve("kernel.log");
        Files.createDirectories(out);
        Files.write(kernelLog, new byte[0]);
        config.put("baton.orchestrator.simulated-fleet.engines", "external");
        config.put("baton.workers.kernel-log.source", "file:" + kernelLog);
        config.put("baton.workers.kernel-log.inventory-command", "simulated");
      }
      List<ChaosReport> reports = ChaosRuns.run(scenarios.stream().map(Scenario::name).toList(), seed, duration,
          out.resolve("cluster"), nodes, gpusPerNode, config, System.out::println, cluster -> null).reports();
      String verdict = ReportWriter.write(out, reports);
      System.out.println(verdict);
      System.out.println("report: " + out.resolve("chaos-report.md").toAbsolutePath());
      return reports.stream().allMatch(ChaosReport::passed) && !reports.isEmpty() ? 0 : 1;
    }
  }

  /** Starts a cluster in {@code clusterDir} (a fresh one each run), runs the scenarios, stops it. */
  static List<ChaosReport> run(List<Scenario> scenarios, long seed, Duration duration, Path clusterDir, int nodes,
      int gpusPerNode, Consumer<String> progress) throws Exception {
    return ChaosRuns.run(scenarios.stream().map(Scenario::name).toList(), seed, duration, clusterDir, nodes,
        gpusPerNode, Map.of(), progress, cluster -> null).reports();
  }

  /** "60s", "2m", "500ms", "1h"; a bare number is seconds. */
  static Duration duration(String text) {
    Matcher m = Pattern.compile("(\\d+)\\s*(ms|s|m|h)?").matcher(text.trim());
    if (!m.matches()) {
      throw new CommandLine.TypeConversionException("not a duration: '" + text + "' (e.g. 60s, 2m, 500ms)");
    }
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "s" : m.group(2);
    return switch (unit) {
      case "ms" -> Duration.ofMillis(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofSeconds(n);
    };
  }

  static final class Names extends ArrayList<String> {
    Names() {
      super(Scenario.names());
      Scenario.EXTERNAL_ENGINES.forEach(s -> add(s.name()));
      add("all");
    }
  }
}
