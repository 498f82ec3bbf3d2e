package io.baton.persistence.cassandra;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Cassandra 5.0 started as a child JVM, for dev ({@code ./baton up}) and tests. The child
 * stops with this process: on close, on a normal JVM exit (shutdown hook) and, through {@link
 * CassandraMain}, when this process is killed.
 */
public final class EmbeddedCassandra implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EmbeddedCassandra.class);

  /**
   * Where and how to run. A port of 0 means "pick a free one".
   *
   * @param cqlHost the address CQL is served on: 127.0.0.1, or a bridge address when the nodes run
   *     in their own network namespaces (the chaos suite's partitions)
   */
  public record Options(Path baseDir, int nativePort, int storagePort, int heapMb, Duration startTimeout,
      String cqlHost) {
    public Options(Path baseDir, int nativePort, int storagePort, int heapMb, Duration startTimeout) {
      this(baseDir, nativePort, storagePort, heapMb, startTimeout, "127.0.0.1");
    }
  }

  private final Process process;
  private final Options options;
  private final Thread shutdownHook;
  private volatile java.util.concurrent.CompletionStage<?> dependents =
      java.util.concurrent.CompletableFuture.completedFuture(null);

  private EmbeddedCassandra(Process process, Options options) {
    this.process = process;
    this.options = options;
    this.shutdownHook = new Thread(this::stopAfterDependents, "baton-cassandra-stop");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /** Starts Cassandra and returns once it answers CQL, or throws a {@link CassandraStartException}. */
  public static EmbeddedCassandra start(Options requested) {
    int[] free = freePorts(2);
    Options options =
        new Options(
            requested.baseDir().toAbsolutePath(),
            requested.nativePort() == 0 ? free[0] : requested.nativePort(),
            requested.storagePort() == 0 ? free[1] : requested.storagePort(),
            requested.heapMb(),
            requested.startTimeout(),
            requested.cqlHost());
    StartupChecks.portsFree(options.nativePort(), options.storagePort());
    StartupChecks.enoughMemory(options.heapMb());
    Path java = Jdk17Locator.locate();
    Path logDir = options.baseDir().resolve("logs");
    Path conf = options.baseDir().resolve("conf");
    try {
      for (String dir : List.of("data", "commitlog", "saved_caches", "hints", "cdc_raw", "logs", "conf")) {
        Files.createDirectories(options.baseDir().resolve(dir));
      }
      Files.writeString(
          conf.resolve("cassandra.yaml"),
          CassandraYaml.render(options.baseDir(), "baton", options.nativePort(), options.storagePort(),
              options.cqlHost()));
      Files.writeString(conf.resolve("logback.xml"), CassandraYaml.logback(logDir));
    } catch (IOException e) {
      throw new CassandraStartException(
          "Cannot prepare Cassandra's directory " + options.baseDir() + ": " + e.getMessage()
              + ". Check that it is writable and the disk is not full.");
    }
    List<String> command = new ArrayList<>();
    command.add(java.toString());
    command.add("-Xms" + Math.min(256, options.heapMb()) + "m");
    command.add("-Xmx" + options.heapMb() + "m");
    command.addAll(Jdk17Flags.ALL);
    command.add("-Dcassandra.config=" + conf.resolve("cassandra.yaml").toUri());
    command.add("-Dcassandra-foreground=yes");
    command.add("-Dcassandra.storagedir=" + options.baseDir());
    command.add("-Dcassandra.logdir=" + logDir);
    command.add("-Dcassandra.shutdown_announce_in_ms=0");
    command.add("-Dlogback.configurationFile=" + conf.resolve("logback.xml"));
    command.add("-cp");
    command.add(CassandraClasspath.resolve());
    command.add(CassandraMain.class.getName());
    command.add(Long.toString(ProcessHandle.current().pid()));
    Path consoleLog = logDir.resolve("console.log");
    log.info(
        "starting Cassandra cql={}:{} dir={} log={}", options.cqlHost(), options.nativePort(), options.baseDir(),
        logDir);
    Process process;
    try {
      process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(consoleLog.toFile())
              .redirectInput(ProcessBuilder.Redirect.PIPE)
              .start();
    } catch (IOException e) {
      throw new CassandraStartException("Cannot start " + java + ": " + e.getMessage());
    }
    EmbeddedCassandra cassandra = new EmbeddedCassandra(process, options);
    cassandra.awaitCql(consoleLog);
    return cassandra;
  }

  public String contactPoint() {
    return options.cqlHost() + ":" + options.nativePort();
  }

  public int nativePort() {
    return options.nativePort();
  }

  public Path baseDir() {
    return options.baseDir();
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /**
   * On JVM exit, Cassandra waits for {@code dependent} (an ActorSystem's termination) so that the
   * journal can flush and shut down cleanly before its database goes away.
   */
  public void stopAfter(java.util.concurrent.CompletionStage<?> dependent) {
    this.dependents = dependent;
  }

  private void stopAfterDependents() {
    try {
      dependents.toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.warn("stopping Cassandra before its users finished: {}", e.toString());
    }
    stopProcess();
  }

  @Override
  public void close() {
    stopProcess();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException alreadyShuttingDown) {
      // The hook is running or has run; nothing left to do.
    }
  }

  private void awaitCql(Path consoleLog) {
    long deadline = System.nanoTime() + options.startTimeout().toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new CassandraStartException(StartupChecks.explainExit(process.exitValue(), consoleLog, options));
      }
      if (cqlAnswers()) {
        log.info("Cassandra is up cql={} pid={}", contactPoint(), process.pid());
        return;
      }
      try {
        process.waitFor(250, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    stopProcess();
    throw new CassandraStartException(
        "Cassandra did not answer CQL on " + contactPoint() + " within " + options.startTimeout().toSeconds()
            + " s. See " + options.baseDir().resolve("logs") + " and raise the start timeout on a slow machine.");
  }

  /** A CQL OPTIONS frame answered by SUPPORTED means the native transport is really serving. */
  private boolean cqlAnswers() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(options.cqlHost(), options.nativePort()), 500);
      socket.setSoTimeout(1000);
      // v4 header: version, flags, stream id (2 bytes), opcode OPTIONS=0x05, body length 0.
      socket.getOutputStream().write(new byte[] {0x04, 0, 0, 1, 0x05, 0, 0, 0, 0});
      InputStream in = socket.getInputStream();
      byte[] header = in.readNBytes(9);
      return header.length == 9 && header[4] == 0x06;
    } catch (IOException e) {
      return false;
    }
  }

  private synchronized void stopProcess() {
    if (!process.isAlive()) {
      return;
    }
    log.info("stopping Cassandra pid={}", process.pid());
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        log.warn("Cassandra did not stop within 30 s, killing pid={}", process.pid());
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  /** Distinct free ports: all sockets stay open until every port is chosen. */
  static int[] freePorts(int count) {
    ServerSocket[] sockets = new ServerSocket[count];
    try {
      int[] ports = new int[count];
      for (int i = 0; i < count; i++) {
        sockets[i] = new ServerSocket(0);
        ports[i] = sockets[i].getLocalPort();
      }
      return ports;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      for (ServerSocket socket : sockets) {
        if (socket != null) {
          try {
            socket.close();
          } catch (IOException ignored) {
            // Closing a probe socket cannot fail in a way that matters here.
          }
        }
      }
    }
  }
}
