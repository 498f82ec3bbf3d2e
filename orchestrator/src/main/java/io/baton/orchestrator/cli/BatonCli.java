package io.baton.orchestrator.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code baton} command. The ./baton script builds the project first when needed. */
@Command(
    name = "baton",
    mixinStandardHelpOptions = true,
    version = "baton 0.1.0",
    description = "Event-sourced, fault-tolerant LLM inference orchestrator.",
    subcommands = {UpCommand.class, NodeCommand.class, ClusterCommand.class})
public final class BatonCli {

  public static void main(String[] args) {
    io.baton.persistence.JvmDefaults.apply();
    int code = new CommandLine(new BatonCli())
        .setExecutionExceptionHandler(new OperatorErrorHandler())
        .execute(args);
    // Always exit explicitly: driver and dispatcher threads must not keep a stopped node alive.
    System.exit(code);
  }
}
