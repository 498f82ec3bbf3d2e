package io.baton.persistence.cassandra;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** Checks made before and after starting Cassandra, each ending in advice for the operator. */
final class StartupChecks {
  /** Cassandra's heap plus its off-heap memtables, caches and metaspace, measured at ~0.8 GB RSS. */
  private static final long OVERHEAD_MB = 400;

  private StartupChecks() {}

  static void portsFree(int... ports) {
    for (int port : ports) {
      try (ServerSocket probe = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
        // Bound, so free; closing releases it for Cassandra.
      } catch (IOException e) {
        throw new CassandraStartException(
            "Port 127.0.0.1:" + port + " is already in use, so Cassandra cannot start. Stop whatever holds it"
                + " (ss -ltnp 'sport = :" + port + "'), or pick other ports"
                + " (--cassandra-port), or point Baton at a running Cassandra with --cassandra host:port.");
      }
    }
  }

  static void enoughMemory(int heapMb) {
    long availableMb = availableMemoryMb();
    long neededMb = heapMb + OVERHEAD_MB;
    if (availableMb >= 0 && availableMb < neededMb) {
      throw new CassandraStartException(
          "Cassandra needs about " + neededMb + " MB of memory and only " + availableMb
              + " MB is available. Free memory, lower baton.persistence.embedded.heap-mb,"
              + " or use an external Cassandra with --cassandra host:port.");
    }
  }

  static String explainExit(int code, Path consoleLog, EmbeddedCassandra.Options options) {
    String tail = tail(consoleLog) + "\n" + tail(options.baseDir().resolve("logs").resolve("system.log"));
    String lower = tail.toLowerCase(Locale.ROOT);
    String advice;
    if (lower.contains("address already in use")) {
      advice = "A port it needs is taken (cql " + options.nativePort() + ", storage " + options.storagePort()
          + "). Stop the other process or choose other ports.";
    } else if (lower.contains("cannot allocate memory") || lower.contains("outofmemoryerror")) {
      advice = "It ran out of memory. Free memory or lower baton.persistence.embedded.heap-mb.";
    } else if (lower.contains("policy object is not supported") || lower.contains("unsupportedclassversion")) {
      advice = "It needs JDK 17. Set " + Jdk17Locator.OVERRIDE_ENV + " to a JDK 17 home.";
    } else if (lower.contains("commitlog") && lower.contains("corrupt")) {
      advice = "Its commit log is damaged. Move " + options.baseDir() + " aside to start empty.";
    } else {
      advice = "Read " + options.baseDir().resolve("logs") + " for the cause.";
    }
    return "Cassandra exited during start with code " + code + ". " + advice;
  }

  private static long availableMemoryMb() {
    try {
      List<String> lines = Files.readAllLines(Path.of("/proc/meminfo"));
      return lines.stream()
          .filter(l -> l.startsWith("MemAvailable:"))
          .map(l -> Long.parseLong(l.replaceAll("\\D", "")) / 1024)
          .findFirst()
          .orElse(-1L);
    } catch (IOException | RuntimeException e) {
      return -1; // Not Linux or not readable: let Cassandra itself decide.
    }
  }

  private static String tail(Path file) {
    try {
      List<String> lines = Files.readAllLines(file);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    } catch (IOException e) {
      return "";
    }
  }
}
