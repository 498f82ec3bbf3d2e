package io.baton.bench;

import io.baton.workers.agent.AgentStatus;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Many streams open at once on one node, and the heap they hold: the node runs in this JVM, the
 * clients in a child JVM ({@link StreamHolder}), so the heap measured (after a full GC, before the
 * streams and with all of them open) is the node's alone. Every stream decodes slowly and runs for
 * minutes, so each is a live session with its runner, follower and HTTP stream while it is measured.
 * The simulated GPUs' KV pages live off-heap, as a real GPU's live in device memory; they are
 * reported apart (direct buffers), and the heap figure is what the node itself holds per stream.
 */
final class OpenStreams {
  /** @param runningSessions sessions on the agent's GPUs while the heap was measured */
  record Result(int requested, int open, int errors, int ended, double secondsToOpen, long heapBefore,
      long heapOpen, long directBefore, long directOpen, int runningSessions, String firstError,
      List<String> growth) {
    double perStreamKiB() {
      return open == 0 ? Double.NaN : (heapOpen - heapBefore) / 1024.0 / open;
    }

    /** Off-heap: mostly the simulated GPUs' KV pages, which a real GPU holds in device memory. */
    double directPerStreamKiB() {
      return open == 0 ? Double.NaN : (directOpen - directBefore) / 1024.0 / open;
    }
  }

  /** Node settings for the phase: room for every stream on the simulated GPUs and in the HTTP server. */
  static Map<String, Object> nodeConfig(int streams, String decodePerToken) {
    int activeGpus = 7;
    return Map.ofEntries(
        Map.entry("baton.workers.engine.timing.decode-per-token", decodePerToken),
        Map.entry("baton.orchestrator.simulated-fleet.hosts", 4),
        Map.entry("baton.orchestrator.simulated-fleet.gpus-per-host", 2),
        Map.entry("baton.workers.agent.sessions-per-gpu", streams / activeGpus + 16),
        // One append per session every 10 s instead of every token: 2,000 sessions must not turn
        // into 1,000 journal writes a second on the bench's box; the lease allows it.
        Map.entry("baton.workers.agent.runner.flush-interval", "10s"),
        Map.entry("baton.actors.session.lease", "60s"),
        Map.entry("baton.http.limits.max-streams-per-key", streams * 2),
        Map.entry("pekko.http.server.max-connections", streams * 2),
        Map.entry("pekko.http.server.backlog", 1024));
  }

  static Result run(BenchNode node, int streams, int maxTokens, int parallel, int timeoutSeconds, int holdSeconds)
      throws Exception {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    long before = heapAfterGc(memory);
    long directBefore = directBytes();
    HeapHistogram histogramBefore = HeapHistogram.take();
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process clients = new ProcessBuilder(java, "-Xmx1g", "-cp", System.getProperty("java.class.path"),
        StreamHolder.class.getName(), node.node.httpAddress(), String.valueOf(streams), String.valueOf(maxTokens),
        String.valueOf(parallel), String.valueOf(timeoutSeconds))
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    try {
      String result = null;
      String firstError = null;
      BufferedReader out = new BufferedReader(new InputStreamReader(clients.getInputStream(), StandardCharsets.UTF_8));
      String line;
      while (result == null && (line = out.readLine()) != null) {
        System.err.println("bench: clients: " + line);
        if (line.startsWith("result ")) {
          result = line;
        } else if (firstError == null && (line.startsWith("error") || line.startsWith("ended"))) {
          firstError = line;
        }
      }
      if (result == null) {
        throw new IllegalStateException("the client JVM exited " + clients.waitFor() + " without a result");
      }
      AgentStatus status = node.agentStatus();
      int running = status.gpus().stream().mapToInt(g -> g.sessions().size()).sum();
      long heapOpen = heapAfterGc(memory);
      long directOpen = directBytes();
      int open = field(result, "open");
      List<String> growth = HeapHistogram.take().growthTable(histogramBefore, Math.max(1, open), 15);
      if (holdSeconds > 0) {
        System.err.printf("bench: holding the streams open for %d s (pid %d), e.g. for jcmd GC.class_histogram%n",
            holdSeconds, ProcessHandle.current().pid());
        Thread.sleep(holdSeconds * 1000L);
      }
      return new Result(streams, open, field(result, "errors"), field(result, "ended"),
          Double.parseDouble(value(result, "seconds")), before, heapOpen, directBefore, directOpen, running,
          firstError, growth);
    } finally {
      clients.getOutputStream().close();
      if (!clients.waitFor(30, TimeUnit.SECONDS)) {
        clients.destroyForcibly();
      }
    }
  }

  private static long heapAfterGc(MemoryMXBean memory) {
    for (int i = 0; i < 3; i++) {
      memory.gc();
    }
    return memory.getHeapMemoryUsage().getUsed();
  }

  private static long directBytes() {
    return ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
        .filter(pool -> pool.getName().equals("direct")).mapToLong(BufferPoolMXBean::getMemoryUsed).sum();
  }

  private static int field(String line, String name) {
    return Integer.parseInt(value(line, name));
  }

  private static String value(String line, String name) {
    for (String part : line.split(" ")) {
      if (part.startsWith(name + "=")) {
        return part.substring(name.length() + 1);
      }
    }
    throw new IllegalArgumentException("no " + name + " in '" + line + "'");
  }

  /** The summary row, then the classes that grew most while the streams were open. */
  static List<String> table(Result r) {
    List<String> out = new ArrayList<>(List.of(
        "| streams asked | open (first token received) | failed | ended early | seconds to open"
            + " | sessions running | node heap before, MiB | node heap with all open, MiB | per open stream, KiB"
            + " | off-heap (simulated GPU KV) per open stream, KiB |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        String.format("| %d | %d | %d | %d | %.1f | %d | %.1f | %.1f | **%.1f** | %.1f |", r.requested(), r.open(),
            r.errors(), r.ended(), r.secondsToOpen(), r.runningSessions(), r.heapBefore() / 1048576.0,
            r.heapOpen() / 1048576.0, r.perStreamKiB(), r.directPerStreamKiB())));
    out.add("");
    out.addAll(r.growth());
    return out;
  }
}
