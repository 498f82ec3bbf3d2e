package io.baton.orchestrator.cli;

import com.typesafe.config.Config;
import io.baton.orchestrator.BatonNode;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.slf4j.Logger;

/** Runs one node until it stops, for {@code baton up} and {@code baton node}: the same ready line, the same exit. */
final class NodeRunner {
  private NodeRunner() {}

  /** Starts the node, logs {@code ready http=... management=... cluster=... cassandra=... bind=...}, and waits. */
  static int run(Config config, Logger log) throws Exception {
    BatonNode node = BatonNode.start(config);
    String host = config.getString("baton.http.host");
    log.info("ready http={} management={} cluster={} cassandra={} bind={}", node.httpAddress(),
        node.managementAddress(), node.clusterAddress(), String.join(",", node.contactPoints()), host);
    if (host.startsWith("127.")) {
      log.info("serving 127.0.0.1 only (dev mode); set baton.http.host to serve other hosts");
    }
    if (node.embeddedCassandraDir() != null) {
      log.info("stop with Ctrl-C; data stays in {}", node.embeddedCassandraDir());
    }
    node.awaitTermination();
    // Main exits the JVM afterwards, so a node the cluster downed never lingers as a zombie.
    return node.shutdownReason()
        .filter(reason -> !reason.equals(CoordinatedShutdown.jvmExitReason()))
        .map(reason -> {
          log.error("node stopped reason={}; restart it to rejoin the cluster", reason.getClass().getSimpleName());
          return 3;
        })
        .orElse(0);
  }
}
