package io.baton.orchestrator.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** `baton node` is what runs on a real host: fault injection stays off unless asked for. */
class NodeCommandTest {
  static NodeCommand parsed(String... args) {
    CommandLine cmd = new CommandLine(new NodeCommand());
    cmd.parseArgs(args);
    return cmd.getCommand();
  }

  @Test
  void chaosIsOffUnlessAskedFor() {
    assertFalse(parsed("--cassandra", "10.0.0.9:9042").config().getBoolean("baton.http.chaos"));
    assertTrue(parsed("--cassandra", "10.0.0.9:9042", "--chaos").config().getBoolean("baton.http.chaos"));
  }
}
