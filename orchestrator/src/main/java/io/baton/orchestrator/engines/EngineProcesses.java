package io.baton.orchestrator.engines;

import io.baton.orchestrator.cli.EngineCommand;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Engine servers a dev node starts as its own child processes ({@code --engines external}): one
 * {@code baton engine serve} JVM per simulated GPU, driven over HTTP exactly as a real host's vLLM
 * servers are. They follow the node: a node that stops ends them, one killed outright is noticed by
 * each engine (it watches the node's pid) and they exit too.
 */
public final class EngineProcesses implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EngineProcesses.class);

  /** One engine server: its base URL, its process, and which GPU it stands for. */
  public record Launched(String url, Process process, String gpuUuid, String pciBusId) {
    public long pid() {
      return process.pid();
    }
  }

  private final List<Launched> launched = new ArrayList<>();

  /**
   * Starts one engine server and waits until it serves.
   *
   * @param settings {@code -D} settings the child needs to match the node (its simulated timing)
   * @param logFile where the child's output goes
   */
  public synchronized Launched launch(String model, String gpuUuid, String pciBusId, Map<String, String> settings,
      Path logFile, Duration timeout) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx256m");
    command.add("-XX:+UseSerialGC");
    settings.forEach((k, v) -> command.add("-D" + k + "=" + v));
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.baton.orchestrator.cli.BatonCli",
        "engine", "serve", "--port", "0", "--model", model, "--gpu-uuid", gpuUuid, "--pci-bus-id", pciBusId,
        "--faults", "--parent-pid", String.valueOf(ProcessHandle.current().pid())));
    Files.createDirectories(logFile.toAbsolutePath().getParent());
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    CompletableFuture<String> ready = new CompletableFuture<>();
    Thread drain = new Thread(() -> drain(process, logFile, ready), "engine-output-" + process.pid());
    drain.setDaemon(true);
    drain.start();
    try {
      String url = ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      Launched engine = new Launched(url, process, gpuUuid, pciBusId);
      launched.add(engine);
      log.info("engine started url={} pid={} gpu_uuid={} pci_bus_id={} log={}", url, process.pid(), gpuUuid, pciBusId,
          logFile);
      return engine;
    } catch (Exception e) {
      process.destroyForcibly();
      throw new IOException("engine server for " + gpuUuid + " did not start within " + timeout.toSeconds()
          + " s (" + e + "); see " + logFile, e);
    }
  }

  /** Copies the child's output to its log file, noting the line that says where it serves. */
  private static void drain(Process process, Path logFile, CompletableFuture<String> ready) {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        PrintWriter out = new PrintWriter(Files.newBufferedWriter(logFile, StandardCharsets.UTF_8), true)) {
      String line;
      while ((line = in.readLine()) != null) {
        out.println(line);
        if (line.startsWith(EngineCommand.Serve.READY)) {
          ready.complete(line.substring(EngineCommand.Serve.READY.length()).strip());
        }
      }
    } catch (IOException e) {
      ready.completeExceptionally(e);
    }
    // Harmless once ready: a completed future ignores it.
    ready.completeExceptionally(new IOException("the engine's output ended before it served"));
  }

  public synchronized List<Launched> launched() {
    return List.copyOf(launched);
  }

  /** Stops every engine: SIGTERM, then SIGKILL for one that does not exit within 5 s. */
  @Override
  public synchronized void close() {
    launched.forEach(e -> e.process().destroy());
    for (Launched e : launched) {
      try {
        if (!e.process().waitFor(5, TimeUnit.SECONDS)) {
          e.process().destroyForcibly();
        }
      } catch (InterruptedException interrupted) {
        Thread.currentThread().interrupt();
        e.process().destroyForcibly();
      }
    }
    launched.clear();
  }
}
