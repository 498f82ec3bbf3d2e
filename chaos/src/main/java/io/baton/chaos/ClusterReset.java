package io.baton.chaos;

import io.baton.orchestrator.cluster.LocalCluster;
import io.baton.orchestrator.cluster.NodeProcess;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the cluster back to a fair start between scenarios, as an operator would after an
 * incident: restart killed nodes, resume any still frozen, put cordoned GPUs back in service (with a
 * recorded reason), and wait until the active pool is as large as at the start of the run.
 */
final class ClusterReset {
  private static final Logger log = LoggerFactory.getLogger(ClusterReset.class);
  static final Duration POOL_TIMEOUT = Duration.ofSeconds(20);
  private static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(30);

  private final LocalCluster cluster;
  private final NodeDirectory directory;
  private final Fleet fleet;

  ClusterReset(LocalCluster cluster, NodeDirectory directory, Fleet fleet) {
    this.cluster = cluster;
    this.directory = directory;
    this.fleet = fleet;
  }

  /**
   * A node the split brain resolver downed (the minority of a partition) runs its coordinated
   * shutdown for up to ~15 s while it cannot reach the others; it is not ready meanwhile. Waits for
   * it to exit so that it is restarted, and kills it if it hangs.
   */
  private static void awaitExitIfStopping(NodeProcess node) throws Exception {
    if (!node.isAlive() || node.isPaused() || node.get("/health/ready").map(r -> r.statusCode() == 200).orElse(false)) {
      return;
    }
    try {
      node.onExit().get(SHUTDOWN_WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
      log.info("chaos reset: {} stopped by itself (downed) exit={}", node.nodeId(), node.exitValue());
    } catch (java.util.concurrent.TimeoutException e) {
      log.warn("chaos reset: {} neither ready nor stopped after {} s; killing it", node.nodeId(),
          SHUTDOWN_WAIT.toSeconds());
      node.kill9();
    }
  }

  /** @return what was done, for the log */
  String before(String scenario, int baselineActive, int totalGpus) throws Exception {
    StringBuilder done = new StringBuilder();
    // A node whose engine server was killed is restarted with it, as an operator restarts the unit.
    for (Fleet.Gpu g : fleet.gpus()) {
      if (g.enginePid() != null && !ProcessHandle.of(g.enginePid()).map(ProcessHandle::isAlive).orElse(false)) {
        NodeProcess node = cluster.node(g.node());
        if (node.isAlive()) {
          node.kill9();
          done.append("stopped ").append(g.node()).append(" (engine of ").append(g.id()).append(" gone); ");
        }
      }
    }
    for (NodeProcess node : cluster.nodes()) {
      if (node.isPaused()) {
        node.resume();
        done.append("resumed ").append(node.nodeId()).append("; ");
      }
      awaitExitIfStopping(node);
      if (!node.isAlive()) {
        long t0 = System.nanoTime();
        NodeProcess fresh = cluster.restart(node.nodeId());
        done.append("restarted ").append(node.nodeId()).append(" in ").append((System.nanoTime() - t0) / 1_000_000)
            .append(" ms; ");
      }
    }
    for (NodeProcess node : cluster.nodes()) {
      directory.markIn(node.nodeId(), node.httpUrl());
    }
    cluster.awaitAllUp(Duration.ofMinutes(2));
    Poll.until(POOL_TIMEOUT, Duration.ofMillis(500), () -> fleet.gpus().size() >= totalGpus);
    String why = "{\"reason\":\"chaos suite: back in service before scenario " + scenario + "\",\"by\":\"chaos\"}";
    for (Fleet.Gpu g : fleet.gpus()) {
      // A GPU still suspect once its node is back is stuck there (nothing will reset it): an operator
      // would take it out and put it back; cordoned ones (node-fatal XIDs) wait for an operator anyway.
      if (g.state().equals("suspect")) {
        Http.postJson(directory.pick(0) + "/admin/workers/" + g.id() + "/cordon", why);
        done.append("cordoned stuck suspect ").append(g.id()).append(" to return it; ");
      }
      if (g.state().equals("cordoned") || g.state().equals("suspect")) {
        Http.postJson(directory.pick(0) + "/admin/workers/" + g.id() + "/uncordon", why);
        done.append("uncordoned ").append(g.id()).append("; ");
      }
    }
    boolean pool = Poll.until(POOL_TIMEOUT, Duration.ofMillis(500), () -> {
      List<Fleet.Gpu> gpus = fleet.gpus();
      long active = gpus.stream().filter(g -> g.state().equals("active")).count();
      return gpus.size() >= totalGpus && active >= baselineActive
          && gpus.stream().noneMatch(g -> g.state().equals("resetting") || g.state().equals("suspect"));
    });
    if (!pool) {
      log.warn("chaos reset: the pool did not settle before scenario={} gpus={}", scenario, fleet.gpus());
      done.append("pool not back to ").append(baselineActive).append(" active within ")
          .append(POOL_TIMEOUT.toSeconds()).append(" s; ");
    }
    return done.length() == 0 ? "nothing to reset" : done.toString();
  }
}
