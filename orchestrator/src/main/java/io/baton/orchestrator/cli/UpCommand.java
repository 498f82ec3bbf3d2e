package io.baton.orchestrator.cli;

import com.typesafe.config.ConfigFactory;
import io.baton.orchestrator.BatonNode;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code baton up}: one dev node with an embedded Cassandra and simulated GPUs, on loopback. */
@Command(name = "up", mixinStandardHelpOptions = true,
    description = "Start Cassandra and one Baton node on this machine (dev mode, loopback only).")
final class UpCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(UpCommand.class);

  // No option has a default here: an unset option leaves the value to the config and its
  // environment variables (BATON_HTTP_PORT, ...), so a flag only overrides what it names.
  @Option(names = "--port", description = "HTTP port (default 8080, or baton.http.port).")
  Integer httpPort;

  @Option(names = "--cassandra", split = ",", paramLabel = "host:port",
      description = "Use this external Cassandra cluster and start none.")
  List<String> cassandra;

  @Option(names = "--cassandra-port",
      description = "CQL port of the embedded Cassandra (default 9042); its storage port is the next one.")
  Integer cassandraPort;

  @Option(names = "--cluster-port", description = "Pekko cluster port (default 2551).")
  Integer clusterPort;

  @Option(names = "--data-dir", description = "Where the embedded Cassandra keeps its data (default data).")
  Path dataDir;

  @Option(names = "--kernel-log", paramLabel = "FILE", description = KernelLogOption.DESCRIPTION)
  Path kernelLog;

  @Option(names = "--engines", paramLabel = "in-process|external", description = EnginesOption.DESCRIPTION)
  String engines;

  @Override
  public Integer call() throws Exception {
    Map<String, Object> overrides = new HashMap<>();
    if (kernelLog != null) {
      overrides.putAll(KernelLogOption.config(kernelLog));
    }
    if (engines != null) {
      overrides.put(EnginesOption.KEY, engines);
    }
    if (httpPort != null) {
      overrides.put("baton.http.port", httpPort);
    }
    if (clusterPort != null) {
      overrides.put("baton.orchestrator.cluster.port", clusterPort);
    }
    if (dataDir != null) {
      overrides.put("baton.persistence.embedded.dir", dataDir.resolve("cassandra").toString());
      overrides.put("baton.orchestrator.simulated-fleet.engine-log-dir", dataDir.resolve("engines").toString());
    }
    if (cassandraPort != null) {
      overrides.put("baton.persistence.embedded.native-port", cassandraPort);
      overrides.put("baton.persistence.embedded.storage-port", cassandraPort == 0 ? 0 : cassandraPort + 1);
    }
    if (cassandra != null && !cassandra.isEmpty()) {
      overrides.put("baton.persistence.contact-points", cassandra);
    }
    return NodeRunner.run(BatonNode.loadConfig(ConfigFactory.parseMap(overrides)), log);
  }
}
