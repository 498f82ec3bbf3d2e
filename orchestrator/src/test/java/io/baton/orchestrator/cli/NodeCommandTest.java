package io.baton.orchestrator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import java.nio.file.Path;
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

  @Test
  void kernelLogFollowsTheFileAndASetStillWins() {
    Config config = parsed("--cassandra", "10.0.0.9:9042", "--kernel-log", "kern.log").config();
    assertEquals("file:" + Path.of("kern.log").toAbsolutePath(), config.getString("baton.workers.kernel-log.source"));
    assertEquals("simulated", config.getString("baton.workers.kernel-log.inventory-command"));
    assertEquals("none", parsed("--cassandra", "10.0.0.9:9042").config().getString("baton.workers.kernel-log.source"));
    assertEquals("kmsg", parsed("--cassandra", "10.0.0.9:9042", "--kernel-log", "kern.log", "--set",
        "baton.workers.kernel-log.source=kmsg").config().getString("baton.workers.kernel-log.source"));
  }
}
