package io.baton.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code ./baton bench <name>}: benchmarks that print a Markdown table for the README. */
@Command(
    name = "baton bench",
    mixinStandardHelpOptions = true,
    description = "Run a benchmark against a real Cassandra started for the run.",
    subcommands = {JournalBench.class, KvBench.class, FailoverBench.class, CheckpointBench.class, ApiBench.class,
        BatchBench.class, RecoveryBench.class, TlsBench.class, EnginesBench.class, FairnessBench.class})
public final class BenchMain {
  public static void main(String[] args) {
    io.baton.persistence.JvmDefaults.apply();
    System.exit(new CommandLine(new BenchMain()).execute(args));
  }
}
