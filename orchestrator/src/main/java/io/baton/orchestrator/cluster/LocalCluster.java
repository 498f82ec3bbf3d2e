package io.baton.orchestrator.cluster;

import io.baton.orchestrator.FleetBootstrap;
import io.baton.persistence.BatonConfig;
import io.baton.persistence.PersistenceSettings;
import io.baton.persistence.cassandra.EmbeddedCassandra;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Baton cluster on one machine: one JVM per node, all sharing one Cassandra, for
 * {@code ./baton cluster up}, the chaos suite and multi-node tests; on loopback, or with each node
 * in its own network namespace so that links between nodes can be cut. Nodes are started the way an
 * operator would on real hosts, with {@code baton node} and explicit ports and seeds.
 */
public final class LocalCluster implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LocalCluster.class);
  static final Duration READY_TIMEOUT = Duration.ofMinutes(2);

  private final ClusterOptions options;
  private final Ports ports;
  private final String classpath;
  private final EmbeddedCassandra.Options cassandraOptions;
  private final NetworkNamespaces network; // null: every node on loopback
  private volatile EmbeddedCassandra cassandra;
  private final List<String> contactPoints;
  /** The cluster's own key: its nodes talk TLS with mutual authentication, like production ones. */
  private final ClusterTls.Material tls;
  private final List<NodeProcess> nodes = new CopyOnWriteArrayList<>();
  private final CompletableFuture<Void> nodesStopped = new CompletableFuture<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Thread shutdownHook = new Thread(this::close, "baton-local-cluster-stop");

  private LocalCluster(ClusterOptions options, Ports ports, NetworkNamespaces network,
      EmbeddedCassandra.Options cassandraOptions, EmbeddedCassandra cassandra, List<String> contactPoints,
      ClusterTls.Material tls) {
    this.options = options;
    this.tls = tls;
    this.ports = ports;
    this.network = network;
    this.cassandraOptions = cassandraOptions;
    this.cassandra = cassandra;
    this.contactPoints = List.copyOf(contactPoints);
    this.classpath = NodeCommandLine.absoluteClasspath(
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
    if (cassandra != null) {
      cassandra.stopAfter(nodesStopped); // on JVM exit the nodes go first, then their database
    }
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /** Node HTTP ports are free ports. */
  public static LocalCluster start(ClusterOptions options) throws Exception {
    return start(options, 0);
  }

  /** Node i serves HTTP on {@code baseHttpPort + i} (0: free ports); returns once all nodes are Up members. */
  public static LocalCluster start(ClusterOptions options, int baseHttpPort) throws Exception {
    Files.createDirectories(options.dir());
    ClusterTls.Material tls = ClusterTls.generate(options.dir().resolve("tls"));
    boolean embedded = options.contactPoints().isEmpty();
    Ports ports = Ports.pick(options.nodes(), baseHttpPort, embedded);
    NetworkNamespaces network = options.isolatedNetwork() ? NetworkNamespaces.create(options.nodes()) : null;
    EmbeddedCassandra.Options cassandraOptions = null;
    EmbeddedCassandra cassandra = null;
    List<String> contactPoints = options.contactPoints();
    try {
      if (embedded) {
        PersistenceSettings.Embedded defaults = PersistenceSettings.fromConfig(BatonConfig.load()).embedded();
        cassandraOptions = new EmbeddedCassandra.Options(options.dir().resolve("cassandra").toAbsolutePath(),
            ports.cassandraNative(), ports.cassandraStorage(), defaults.heapMb(), defaults.startTimeout(),
            network == null ? "127.0.0.1" : network.bridgeAddress());
        cassandra = EmbeddedCassandra.start(cassandraOptions);
        contactPoints = List.of(cassandra.contactPoint());
      }
    } catch (RuntimeException e) {
      if (network != null) {
        network.close();
      }
      throw e;
    }
    LocalCluster cluster = new LocalCluster(options, ports, network, cassandraOptions, cassandra, contactPoints, tls);
    try {
      long started = System.nanoTime();
      NodeProcess seed = cluster.launch(0, List.of(NodeProcess.address(cluster.host(0), ports.cluster()[0])));
      cluster.nodes.add(seed);
      seed.awaitReady(READY_TIMEOUT);
      List<String> seeds = List.of(seed.clusterAddress());
      for (int i = 1; i < options.nodes(); i++) {
        cluster.nodes.add(cluster.launch(i, seeds));
      }
      for (NodeProcess node : cluster.nodes) {
        node.awaitReady(READY_TIMEOUT);
      }
      cluster.awaitAllUp(READY_TIMEOUT);
      log.info("local cluster up nodes={} took={}ms", options.nodes(), (System.nanoTime() - started) / 1_000_000);
      return cluster;
    } catch (Exception | Error e) {
      cluster.close();
      throw e;
    }
  }

  public List<NodeProcess> nodes() {
    return List.copyOf(nodes);
  }

  public NodeProcess node(String nodeId) {
    return nodes.get(index(nodeId));
  }

  /** Starts {@code nodeId} again on its ports (after kill9 or terminate) and waits until it is ready. */
  public NodeProcess restart(String nodeId) throws Exception {
    int i = index(nodeId);
    if (nodes.get(i).isAlive()) {
      throw new IllegalStateException(nodeId + " is still running (pid " + nodes.get(i).pid() + "); stop it first");
    }
    // Join through any node still running; with none left, this node forms the cluster anew.
    List<String> seeds = nodes.stream().filter(n -> !n.nodeId().equals(nodeId) && n.isAlive())
        .map(NodeProcess::clusterAddress).toList();
    NodeProcess node = launch(i, seeds.isEmpty() ? List.of(NodeProcess.address(host(i), ports.cluster()[i])) : seeds);
    nodes.set(i, node);
    node.awaitReady(READY_TIMEOUT);
    return node;
  }

  /** Until every running, unpaused node lists every other such node as an Up member. */
  public void awaitAllUp(Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<NodeProcess> live = nodes.stream().filter(n -> n.isAlive() && !n.isPaused()).toList();
    List<String> expected = live.stream().map(NodeProcess::clusterAddress).toList();
    for (NodeProcess node : live) {
      List<String> up = List.of();
      while (!(up = ClusterMembers.up(node)).containsAll(expected)) {
        if (System.nanoTime() > deadline || !node.isAlive()) {
          throw new IllegalStateException(node.nodeId() + " sees Up " + up + ", expected " + expected
              + "; last lines of " + node.logFile() + ":\n" + node.logTail());
        }
        Thread.sleep(200); // polling a child process's HTTP API; there is nothing to wait on
      }
    }
  }

  public EmbeddedCassandra cassandra() {
    return cassandra;
  }

  public long cassandraPid() {
    EmbeddedCassandra c = cassandra;
    return c == null ? -1 : c.pid();
  }

  /** Stops the embedded Cassandra and starts it again on the same directory and ports, waiting for CQL. */
  public synchronized void restartCassandra() throws Exception {
    if (cassandraOptions == null) {
      throw new IllegalStateException("this cluster uses an external Cassandra " + contactPoints);
    }
    long started = System.nanoTime();
    cassandra.close();
    long stopped = System.nanoTime();
    EmbeddedCassandra fresh = EmbeddedCassandra.start(cassandraOptions);
    fresh.stopAfter(nodesStopped);
    cassandra = fresh;
    log.info("Cassandra restarted pid={} stop={}ms start={}ms", fresh.pid(), (stopped - started) / 1_000_000,
        (System.nanoTime() - stopped) / 1_000_000);
  }

  /**
   * Cuts the network between {@code side} and the other nodes, both ways, until {@link #heal}; every
   * node still reaches Cassandra and the suite. Needs {@link ClusterOptions#isolatedNetwork}.
   */
  public void partition(java.util.Set<String> side) {
    requireNetwork().partition(side.stream().map(this::index).collect(java.util.stream.Collectors.toSet()));
  }

  public void heal() {
    requireNetwork().heal();
  }

  private NetworkNamespaces requireNetwork() {
    if (network == null) {
      throw new IllegalStateException("this cluster runs on loopback; start it with isolated networks"
          + " (ClusterOptions.withIsolatedNetwork, root only) to partition it");
    }
    return network;
  }

  /** The key and trust stores the nodes use (a node started with other ones cannot join). */
  public ClusterTls.Material tls() {
    return tls;
  }

  public List<String> contactPoints() {
    return contactPoints;
  }

  public ClusterOptions options() {
    return options;
  }

  /** True once {@link #close} began: nodes exiting now were asked to. */
  public boolean isClosing() {
    return closed.get();
  }

  /** SIGTERM to every node (SIGKILL after 10 s), then Cassandra. Also runs on JVM exit. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    // The others leave first, in parallel, then the leader (the lowest address among the running
    // nodes, ordered as Pekko orders members): the leader leaving while the others leave too kept
    // it waiting past the 10 s grace. With node-1 killed, the leader is another node.
    List<NodeProcess> running = nodes.stream().filter(NodeProcess::isAlive).toList();
    List<NodeProcess> leader = running.stream()
        .min(Comparator.comparing(NodeProcess::host).thenComparingInt(NodeProcess::clusterPort)).stream()
        .toList();
    NodeProcess.terminateAll(running.stream().filter(n -> !leader.contains(n)).toList());
    NodeProcess.terminateAll(leader);
    nodesStopped.complete(null);
    if (cassandra != null) {
      cassandra.close();
    }
    if (network != null) {
      network.close();
    }
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException shuttingDown) {
      // Running from the hook itself, or the JVM is exiting: nothing to remove.
    }
  }

  private int index(String nodeId) {
    return IntStream.range(0, options.nodes()).filter(i -> ClusterOptions.nodeId(i).equals(nodeId)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no node " + nodeId + " in this cluster"));
  }

  private NodeProcess launch(int i, List<String> seeds) throws IOException {
    String nodeId = ClusterOptions.nodeId(i);
    List<String> gpuIds = IntStream.range(0, options.gpusPerNode())
        .mapToObj(g -> FleetBootstrap.workerId(FleetBootstrap.hostId(nodeId, 0), g)).toList();
    Path logFile = options.dir().resolve(nodeId + ".log").toAbsolutePath();
    List<String> command = NodeCommandLine.of(options, classpath, nodeId, host(i), ports.http()[i],
        ports.cluster()[i], ports.management()[i], seeds, options.sparesOf(i), contactPoints);
    if (network != null) {
      command = network.wrap(i, command);
    }
    Files.writeString(logFile, "=== " + java.time.Instant.now() + " LocalCluster starts " + nodeId + "\n",
        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
    builder.environment().put("BATON_ADMIN_TOKEN", options.adminToken());
    builder.environment().putAll(tls.environment());
    Process process = builder.start();
    NodeProcess node = new NodeProcess(nodeId, process, host(i), ports.http()[i], ports.cluster()[i],
        ports.management()[i], gpuIds, logFile,
        options.adminToken());
    log.info("node started node={} pid={} http={} cluster={} gpus={} spares={} log={}", nodeId, node.pid(),
        node.httpUrl(), node.clusterAddress(), gpuIds, options.sparesOf(i), logFile);
    return node;
  }

  private String host(int i) {
    return network == null ? "127.0.0.1" : network.address(i);
  }
}
