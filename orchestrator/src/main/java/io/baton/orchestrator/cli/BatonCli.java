package io.baton.orchestrator.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code baton} command. The ./baton script builds the project first when needed. */
@Command(
    name = "baton",
    mixinStandardHelpOptions = true,
    versionProvider = BatonCli.Version.class,
    description = "Event-sourced, fault-tolerant LLM inference orchestrator.",
    subcommands = {UpCommand.class, NodeCommand.class, ClusterCommand.class, EngineCommand.class,
        SchemaCommand.class},
    footer = {"", "The ./baton script also runs:",
        "  chaos run <scenario|all>  the chaos suite against a fresh local cluster (./baton chaos run --help)",
        "  bench <name>              journal, kv, failover, checkpoint, api, batch, recovery"
            + " (./baton bench <name> --help)"})
public final class BatonCli {

  /** The version Maven built, from a filtered resource, so it cannot drift from the pom. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() throws IOException {
      Properties p = new Properties();
      try (InputStream in = BatonCli.class.getResourceAsStream("/baton-version.properties")) {
        if (in != null) {
          p.load(in);
        }
      }
      return new String[] {"baton " + p.getProperty("version", "(unknown: not built by Maven)")};
    }
  }

  public static void main(String[] args) {
    io.baton.persistence.JvmDefaults.apply();
    int code = new CommandLine(new BatonCli())
        .setExecutionExceptionHandler(new OperatorErrorHandler())
        .execute(args);
    // Always exit explicitly: driver and dispatcher threads must not keep a stopped node alive.
    System.exit(code);
  }
}
