package io.baton.orchestrator.cluster;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Baton node running as a child JVM of {@link LocalCluster}, with the signals the chaos suite
 * sends it. One instance is one incarnation: {@link LocalCluster#restart} returns a new one.
 */
public final class NodeProcess {
  private static final Logger log = LoggerFactory.getLogger(NodeProcess.class);
  private static final int LOG_TAIL_LINES = 40;
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

  private final String nodeId;
  private final Process process;
  private final String host;
  private final int httpPort;
  private final int clusterPort;
  private final int managementPort;
  private final List<String> gpuIds;
  private final Path logFile;
  private final String adminToken;
  private volatile boolean paused;

  NodeProcess(String nodeId, Process process, String host, int httpPort, int clusterPort, int managementPort,
      List<String> gpuIds, Path logFile, String adminToken) {
    this.managementPort = managementPort;
    this.nodeId = nodeId;
    this.process = process;
    this.host = host;
    this.httpPort = httpPort;
    this.clusterPort = clusterPort;
    this.gpuIds = List.copyOf(gpuIds);
    this.logFile = logFile;
    this.adminToken = adminToken;
  }

  public String nodeId() {
    return nodeId;
  }

  public long pid() {
    return process.pid();
  }

  public String httpUrl() {
    return "http://" + host + ":" + httpPort;
  }

  public int httpPort() {
    return httpPort;
  }

  public int clusterPort() {
    return clusterPort;
  }

  /** 127.0.0.1, or this node's own address when the cluster runs in network namespaces. */
  public String host() {
    return host;
  }

  public String clusterAddress() {
    return address(host, clusterPort);
  }

  static String address(String host, int clusterPort) {
    return "pekko://baton@" + host + ":" + clusterPort;
  }

  /** This node's simulated GPUs, e.g. node-2-host0-gpu0. */
  public List<String> gpuIds() {
    return gpuIds;
  }

  public Path logFile() {
    return logFile;
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Completes when this incarnation's process exits, for whatever reason. */
  public java.util.concurrent.CompletableFuture<Void> onExit() {
    return process.onExit().thenApply(p -> null);
  }

  /** The exit status once exited. */
  public int exitValue() {
    return process.exitValue();
  }

  public boolean isPaused() {
    return paused;
  }

  /** SIGKILL: no shutdown hook, no cluster leave; the others must notice through the failure detector. */
  public void kill9() {
    log.info("kill -9 node={} pid={}", nodeId, pid());
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** SIGSTOP: the JVM freezes as in a very long GC pause; its sockets stay open. */
  public void pause() {
    signal("STOP");
    paused = true;
  }

  /** SIGCONT after {@link #pause}. */
  public void resume() {
    signal("CONT");
    paused = false;
  }

  /** SIGTERM (the node leaves the cluster and stops), then SIGKILL if it has not exited within 10 s. */
  public void terminate() {
    if (!process.isAlive()) {
      return;
    }
    if (paused) {
      resume(); // a stopped JVM would hold the SIGTERM until it is continued
    }
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        log.warn("node did not stop within 10 s, killing node={} pid={}", nodeId, pid());
        kill9();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  /** SIGTERM to each of {@code group} in parallel, each waiting as {@link #terminate} does. */
  static void terminateAll(List<NodeProcess> group) {
    List<Thread> stops = new ArrayList<>();
    for (NodeProcess node : group) {
      Thread t = new Thread(node::terminate, "stop-" + node.nodeId());
      t.start();
      stops.add(t);
    }
    for (Thread t : stops) {
      try {
        t.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Until GET /ready on the management port answers 200; fails with the log's tail if the node dies or the time runs out. */
  public void awaitReady(Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(nodeId + " exited with status " + process.exitValue()
            + " before it was ready; last lines of " + logFile + ":\n" + logTail());
      }
      if (manage("/ready").map(r -> r.statusCode() == 200).orElse(false)) {
        return;
      }
      process.waitFor(250, TimeUnit.MILLISECONDS);
    }
    throw new IllegalStateException(nodeId + " was not ready within " + timeout.toSeconds() + " s; last lines of "
        + logFile + ":\n" + logTail());
  }

  /** GET on this node's HTTP port (with the admin token, if the cluster set one); empty when it does not answer in 2 s. */
  public java.util.Optional<HttpResponse<String>> get(String path) {
    return get(httpUrl(), path);
  }

  /** pekko-management's address: /alive, /ready, and behind the admin token /cluster and /loglevel. */
  public String managementUrl() {
    return "http://" + host + ":" + managementPort;
  }

  /** GET on this node's management port, as {@link #get(String)}. */
  public java.util.Optional<HttpResponse<String>> manage(String path) {
    return get(managementUrl(), path);
  }

  private java.util.Optional<HttpResponse<String>> get(String base, String path) {
    try {
      HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(2));
      if (!adminToken.isEmpty()) {
        request.header("Authorization", "Bearer " + adminToken);
      }
      return java.util.Optional.of(HTTP.send(request.GET().build(), HttpResponse.BodyHandlers.ofString()));
    } catch (IOException e) {
      return java.util.Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return java.util.Optional.empty();
    }
  }

  /** The last 40 lines of this node's log (all incarnations share one file). */
  public String logTail() {
    try {
      List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
    } catch (IOException | java.io.UncheckedIOException e) {
      return "(cannot read " + logFile + ": " + e.getMessage() + ")";
    }
  }

  private void signal(String name) {
    if (!process.isAlive()) {
      throw new IllegalStateException(nodeId + " is not running");
    }
    log.info("kill -{} node={} pid={}", name, nodeId, pid());
    try {
      Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid())).inheritIO().start();
      if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new IllegalStateException("kill -" + name + " " + pid() + " failed");
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot run kill -" + name + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while sending SIG" + name, e);
    }
  }

  @Override
  public String toString() {
    return nodeId + " pid=" + pid() + " http=" + httpUrl() + " cluster=" + clusterAddress();
  }
}
