package io.baton.chaos;

import io.baton.actors.worker.XidCatalog;
import io.baton.actors.worker.XidClass;
import io.baton.orchestrator.cluster.LocalCluster;
import io.baton.orchestrator.cluster.NodeProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Does a {@link Fault} to the running cluster and, for faults that end (a pause, a slowdown), undoes
 * it after its duration. What it records about each injection is what the recovery check needs
 * later: when, which GPUs and nodes it hit, and which node hosted which shard at that moment.
 */
final class FaultInjector {
  private static final Logger log = LoggerFactory.getLogger(FaultInjector.class);
  private static final XidCatalog XIDS = XidCatalog.standard();

  /**
   * One injected fault.
   *
   * @param gpus GPUs whose running attempts the fault hits directly
   * @param nodes nodes the fault takes away (killed or frozen)
   * @param shardHosts shard id to node, as the live nodes listed their Session shards just before
   * @param healedAt null for faults that are never undone (kill -9, an XID)
   */
  record Injection(Fault fault, Instant at, Instant healedAt, Set<String> gpus, Set<String> nodes,
      Map<String, String> shardHosts, String detail) {}

  private final LocalCluster cluster;
  private final NodeDirectory directory;

  FaultInjector(LocalCluster cluster, NodeDirectory directory) {
    this.cluster = cluster;
    this.directory = directory;
  }

  /** Injects and, for a timed fault, heals it; blocks for the fault's own duration. */
  Injection inject(Fault fault, List<Fleet.Gpu> gpus) throws Exception {
    Map<String, String> shards = fault instanceof Fault.KillNode || fault instanceof Fault.KillSessionHost
        || fault instanceof Fault.PauseNode || fault instanceof Fault.PartitionNode ? shardHosts() : Map.of();
    log.info("chaos inject kind={} target={}", fault.kind(), fault.target());
    if (fault instanceof Fault.XidFault x) {
      XidClass cls = XIDS.classify(x.code());
      Instant at = Instant.now();
      Optional<Http.Reply> r = Http.postJson(directory.pick(0) + "/admin/chaos/workers/" + x.gpu() + "/xid",
          "{\"code\":" + x.code() + "}");
      if (r.isEmpty() || r.get().status() != 202) {
        throw new IllegalStateException("XID injection refused: " + r.map(Http.Reply::body).orElse("no answer"));
      }
      // A node-fatal XID takes the whole host's GPUs out; the others only the GPU itself.
      Set<String> hit = cls == XidClass.NODE_FATAL ? sameHost(x.gpu(), gpus) : Set.of(x.gpu());
      return new Injection(fault, at, null, hit, Set.of(), shards, "class " + cls.id() + ": " + cls.action());
    }
    if (fault instanceof Fault.KillEngine k) {
      Instant at = Instant.now();
      boolean killed = ProcessHandle.of(k.pid()).map(ProcessHandle::destroyForcibly).orElse(false);
      if (!killed) {
        throw new IllegalStateException("engine pid " + k.pid() + " of " + k.gpu() + " is not running");
      }
      return new Injection(fault, at, null, Set.of(k.gpu()), Set.of(), shards, "kill -9 of engine pid " + k.pid());
    }
    if (fault instanceof Fault.KernelLogXid x) {
      XidClass cls = XIDS.classify(x.code());
      Instant at = Instant.now();
      Files.writeString(kernelLog(), "[" + System.nanoTime() / 1000 / 1e6 + "] NVRM: Xid (PCI:" + x.pciBusId() + "): "
          + x.code() + ", pid=4242, name=python3, chaos\n", StandardOpenOption.APPEND);
      Set<String> hit = cls == XidClass.NODE_FATAL ? sameHost(x.gpu(), gpus) : Set.of(x.gpu());
      return new Injection(fault, at, null, hit, Set.of(), shards, "kernel log line, class " + cls.id() + ": "
          + cls.action());
    }
    if (fault instanceof Fault.KillNode k) {
      return kill(fault, k.nodeId(), gpus, shards, "kill -9");
    }
    if (fault instanceof Fault.KillSessionHost k) {
      return kill(fault, k.nodeId(), gpus, shards, "kill -9 of the node hosting session " + k.sessionId());
    }
    if (fault instanceof Fault.PauseNode p) {
      NodeProcess node = cluster.node(p.nodeId());
      directory.markOut(p.nodeId());
      Instant at = Instant.now();
      node.pause();
      Poll.pause(p.pause().toMillis()); // the fault is the pause itself
      node.resume();
      Instant healed = Instant.now();
      directory.markIn(p.nodeId(), node.httpUrl());
      return new Injection(fault, at, healed, gpusOf(p.nodeId(), gpus), Set.of(p.nodeId()), shards,
          "SIGSTOP pid " + node.pid() + " for " + p.pause().toMillis() + " ms, then SIGCONT");
    }
    if (fault instanceof Fault.PartitionNode p) {
      return partition(p, gpus, shards);
    }
    if (fault instanceof Fault.PauseCassandra p) {
      long pid = cluster.cassandraPid();
      Instant at = Instant.now();
      signal(pid, "STOP");
      try {
        Poll.pause(p.pause().toMillis()); // the fault is the pause itself
      } finally {
        signal(pid, "CONT");
      }
      return new Injection(fault, at, Instant.now(), Set.of(), Set.of(), shards,
          "SIGSTOP of Cassandra pid " + pid + " for " + p.pause().toMillis() + " ms, then SIGCONT");
    }
    if (fault instanceof Fault.RestartCassandra) {
      Instant at = Instant.now();
      cluster.restartCassandra();
      return new Injection(fault, at, Instant.now(), Set.of(), Set.of(), shards,
          "Cassandra stopped and started again, now pid " + cluster.cassandraPid());
    }
    if (fault instanceof Fault.SlowGpu s) {
      Instant at = Instant.now();
      slow(s.gpu(), s.factor());
      Poll.pause(s.lasting().toMillis()); // the fault is the slowdown itself
      slow(s.gpu(), 1.0);
      return new Injection(fault, at, Instant.now(), Set.of(s.gpu()), Set.of(), shards,
          "decode " + s.factor() + "x slower for " + s.lasting().toMillis() + " ms");
    }
    throw new IllegalArgumentException("unknown fault " + fault);
  }

  /** The file the nodes follow as their kernel log (chaos run --engines external). */
  private Path kernelLog() {
    String source = cluster.options().nodeConfig().getOrDefault("baton.workers.kernel-log.source", "");
    if (!source.startsWith("file:")) {
      throw new IllegalStateException("the nodes follow no kernel-log file; run with --engines external");
    }
    return Path.of(source.substring("file:".length()));
  }

  private Injection kill(Fault fault, String nodeId, List<Fleet.Gpu> gpus, Map<String, String> shards, String what) {
    NodeProcess node = cluster.node(nodeId);
    directory.markOut(nodeId);
    Instant at = Instant.now();
    node.kill9();
    return new Injection(fault, at, null, gpusOf(nodeId, gpus), Set.of(nodeId), shards,
        what + " (pid " + node.pid() + "); restarted before the next scenario");
  }

  /**
   * Clients stop using the cut-off node (a load balancer's health check would), as for a pause; a
   * node the resolver downed meanwhile has exited, and the runner restarts it before the next scenario.
   */
  private Injection partition(Fault.PartitionNode p, List<Fleet.Gpu> gpus, Map<String, String> shards) {
    NodeProcess node = cluster.node(p.nodeId());
    directory.markOut(p.nodeId());
    Instant at = Instant.now();
    cluster.partition(Set.of(p.nodeId()));
    try {
      Poll.pause(p.lasting().toMillis()); // the fault is the partition itself
    } finally {
      cluster.heal();
    }
    Instant healed = Instant.now();
    if (node.isAlive()) {
      directory.markIn(p.nodeId(), node.httpUrl());
    }
    return new Injection(p, at, healed, gpusOf(p.nodeId(), gpus), Set.of(p.nodeId()), shards,
        "network between " + p.nodeId() + " and the other nodes cut for " + p.lasting().toMillis() + " ms"
            + (node.isAlive() ? "" : "; it was downed and stopped, restarted before the next scenario"));
  }

  private void slow(String gpu, double factor) {
    Optional<Http.Reply> r = Optional.empty();
    for (int i = 0; i < directory.size() && (r.isEmpty() || !r.get().ok()); i++) {
      r = Http.postJson(directory.pick(i) + "/admin/chaos/workers/" + gpu + "/slow", "{\"factor\":" + factor + "}");
    }
    if (r.isEmpty() || !r.get().ok()) {
      throw new IllegalStateException("slowdown " + factor + " of " + gpu + " refused: "
          + r.map(Http.Reply::body).orElse("no answer"));
    }
  }

  /** Shard id to hosting node, from every live node's Session shard listing. */
  Map<String, String> shardHosts() {
    Map<String, String> out = new HashMap<>();
    for (NodeProcess node : cluster.nodes()) {
      if (!node.isAlive() || node.isPaused()) {
        continue;
      }
      Http.get(node.managementUrl() + "/cluster/shards/Session").filter(Http.Reply::ok).ifPresent(r -> {
        if (r.json() != null) {
          r.json().path("regions").forEach(region -> out.put(region.path("shardId").asText(), node.nodeId()));
        }
      });
    }
    return out;
  }

  private static Set<String> gpusOf(String nodeId, List<Fleet.Gpu> gpus) {
    return gpus.stream().filter(g -> g.node().equals(nodeId)).map(Fleet.Gpu::id).collect(Collectors.toSet());
  }

  private static Set<String> sameHost(String gpu, List<Fleet.Gpu> gpus) {
    String host = gpus.stream().filter(g -> g.id().equals(gpu)).map(Fleet.Gpu::host).findFirst().orElse(null);
    return host == null ? Set.of(gpu)
        : gpus.stream().filter(g -> host.equals(g.host())).map(Fleet.Gpu::id).collect(Collectors.toSet());
  }

  static void signal(long pid, String signal) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
    if (!kill.waitFor(Duration.ofSeconds(5).toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
        || kill.exitValue() != 0) {
      throw new IOException("kill -" + signal + " " + pid + " failed");
    }
  }
}
