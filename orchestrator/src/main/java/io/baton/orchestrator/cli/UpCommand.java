package io.baton.orchestrator.cli;

import com.typesafe.config.Config;
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

  @Option(names = "--port", description = "HTTP port (default ${DEFAULT-VALUE}).", defaultValue = "8080")
  int httpPort;

  @Option(names = "--cassandra", split = ",", paramLabel = "host:port",
      description = "Use this external Cassandra cluster and start none.")
  List<String> cassandra;

  @Option(names = "--cassandra-port", description = "CQL port of the embedded Cassandra (default ${DEFAULT-VALUE}).",
      defaultValue = "9042")
  int cassandraPort;

  @Option(names = "--cluster-port", description = "Pekko cluster port (default ${DEFAULT-VALUE}).", defaultValue = "2551")
  int clusterPort;

  @Option(names = "--data-dir", description = "Where the embedded Cassandra keeps its data (default ${DEFAULT-VALUE}).",
      defaultValue = "data")
  Path dataDir;

  @Override
  public Integer call() throws Exception {
    Map<String, Object> overrides = new HashMap<>();
    overrides.put("baton.http.host", "127.0.0.1");
    overrides.put("baton.http.port", httpPort);
    overrides.put("baton.orchestrator.cluster.port", clusterPort);
    overrides.put("baton.persistence.embedded.dir", dataDir.resolve("cassandra").toString());
    overrides.put("baton.persistence.embedded.native-port", cassandraPort);
    overrides.put("baton.persistence.embedded.storage-port", cassandraPort + 1);
    // A downed or stopped node must not linger as a zombie: the process exits.
    overrides.put("pekko.coordinated-shutdown.exit-jvm", "on");
    if (cassandra != null && !cassandra.isEmpty()) {
      overrides.put("baton.persistence.contact-points", cassandra);
    }
    Config config = BatonNode.loadConfig(ConfigFactory.parseMap(overrides));
    BatonNode node = BatonNode.start(config);
    log.info("ready http={} cluster={} cassandra={} mode=dev bind=loopback-only",
        node.httpAddress(), node.clusterAddress(), String.join(",", node.contactPoints()));
    log.info("dev mode serves 127.0.0.1 only; stop with Ctrl-C, data stays in {}", dataDir.toAbsolutePath());
    node.awaitTermination();
    return 0;
  }
}
