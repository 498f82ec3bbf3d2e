package io.baton.ops;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
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
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * One {@code bin/baton node} of an unpacked distribution, started as an operator would: its own
 * working directory (where its relative data/ goes), a clean environment and its output in a log
 * file that stays for diagnosis.
 */
final class DistNode {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
  private static final int LOG_TAIL_LINES = 60;

  final String nodeId;
  final int httpPort;
  final int managementPort;
  private final String adminToken;
  private final Process process;
  private final Path log;

  private DistNode(String nodeId, int httpPort, int managementPort, String adminToken, Process process, Path log) {
    this.nodeId = nodeId;
    this.httpPort = httpPort;
    this.managementPort = managementPort;
    this.adminToken = adminToken;
    this.process = process;
    this.log = log;
  }

  /**
   * Runs {@code home/bin/baton node args...} in {@code workDir} with exactly {@code env} (nothing
   * inherited), its output going to {@code workDir/../<nodeId>.log}.
   */
  static DistNode start(Path home, Path workDir, String nodeId, int httpPort, int managementPort, String adminToken,
      Map<String, String> env, List<String> args) throws IOException {
    Files.createDirectories(workDir);
    Path log = workDir.resolveSibling(nodeId + ".log");
    List<String> command = new ArrayList<>(List.of(home.resolve("bin/baton").toString(), "node"));
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile())
        .redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().clear();
    builder.environment().putAll(env);
    Files.writeString(workDir.resolveSibling(nodeId + ".command"), String.join(" ", command) + "\n" + env + "\n");
    return new DistNode(nodeId, httpPort, managementPort, adminToken, builder.start(), log);
  }

  /** Until {@code GET /ready} on the management port (the pods' readiness probe) answers 200. */
  void awaitReady(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    String last = "(no answer)";
    while (System.nanoTime() < deadline) {
      assertAlive("before it was ready");
      Optional<HttpResponse<String>> ready = get(managementPort, "/ready", false);
      if (ready.isPresent()) {
        if (ready.get().statusCode() == 200) {
          return;
        }
        last = ready.get().statusCode() + " " + ready.get().body();
      }
      process.waitFor(500, TimeUnit.MILLISECONDS);
    }
    throw new AssertionError(nodeId + " was not ready within " + timeout.toSeconds() + " s (last /ready: " + last
        + "); last lines of " + log + ":\n" + logTail());
  }

  /** Until something listens on 127.0.0.1:port (baton-0's embedded Cassandra, for the others to use). */
  void awaitListening(int port, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      assertAlive("before anything listened on " + port);
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
        return;
      } catch (IOException notYet) {
        process.waitFor(500, TimeUnit.MILLISECONDS);
      }
    }
    throw new AssertionError("nothing listened on " + port + " within " + timeout.toSeconds() + " s; last lines of "
        + log + ":\n" + logTail());
  }

  /** The cluster members as this node sees them, from the management port (admin token). */
  Optional<HttpResponse<String>> members() {
    return get(managementPort, "/cluster/members", true);
  }

  String apiUrl() {
    return "http://127.0.0.1:" + httpPort;
  }

  void assertAlive(String when) {
    if (!process.isAlive()) {
      throw new AssertionError(nodeId + " exited with status " + process.exitValue() + " " + when + "; last lines of "
          + log + ":\n" + logTail());
    }
  }

  /** SIGTERM (the node leaves the cluster, baton-0 stops its Cassandra); SIGKILL to it and its children after the grace. */
  void stop(Duration grace) {
    if (!process.isAlive()) {
      return;
    }
    List<ProcessHandle> children = process.descendants().toList();
    process.destroy();
    try {
      if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        System.err.println(nodeId + " did not stop within " + grace.toSeconds() + " s of SIGTERM; killing it");
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    // A Cassandra child follows its parent on its own; this is for one that did not.
    children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
  }

  /**
   * The command lines of this node's child processes (the embedded Cassandra, engine servers), read
   * from /proc: ProcessHandle.Info leaves out the arguments of a command line as long as Cassandra's.
   */
  List<String> childCommandLines() {
    List<String> lines = new ArrayList<>();
    for (ProcessHandle child : process.descendants().toList()) {
      try {
        byte[] cmdline = Files.readAllBytes(Path.of("/proc", Long.toString(child.pid()), "cmdline"));
        lines.add(new String(cmdline, StandardCharsets.UTF_8).replace('\0', ' '));
      } catch (IOException gone) {
        // The child exited meanwhile: it has no command line to show.
      }
    }
    return lines;
  }

  String logTail() {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
    } catch (IOException | UncheckedIOException e) {
      return "(cannot read " + log + ": " + e.getMessage() + ")";
    }
  }

  /** A GET on 127.0.0.1:port; empty while nothing listens there (or it does not answer in 3 s). */
  private Optional<HttpResponse<String>> get(int port, String path, boolean admin) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(3));
    if (admin) {
      request.header("Authorization", "Bearer " + adminToken);
    }
    try {
      return Optional.of(HTTP.send(request.GET().build(), HttpResponse.BodyHandlers.ofString()));
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  @Override
  public String toString() {
    return nodeId + " pid=" + process.pid() + " http=" + httpPort + " management=" + managementPort + " log=" + log;
  }
}
