package io.baton.chaos;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The workload of one scenario in flight: a client per streaming completion, started at its planned
 * time, and the batch client. Sessions become visible to fault targeting as soon as a node accepts
 * them.
 */
final class WorkloadRun implements AutoCloseable {
  private final Workload workload;
  private final ScheduledExecutorService clients;
  private final List<Future<StreamLog>> streams = new CopyOnWriteArrayList<>();
  private final Deque<Workload.Completion> reserve;
  private NodeDirectory nodes;
  private Instant deadline;
  private final Map<Integer, String> accepted = new ConcurrentHashMap<>();
  private Future<BatchClient.BatchLog> batch;

  private WorkloadRun(Workload workload) {
    this.workload = workload;
    this.reserve = new ArrayDeque<>(workload.reserve());
    this.clients = Executors.newScheduledThreadPool(workload.completions().size() + workload.reserve().size() + 1, r -> {
      Thread t = new Thread(r, "chaos-client");
      t.setDaemon(true);
      return t;
    });
  }

  static WorkloadRun start(Workload workload, NodeDirectory nodes, Instant deadline) {
    WorkloadRun run = new WorkloadRun(workload);
    run.nodes = nodes;
    run.deadline = deadline;
    for (Workload.Completion c : workload.completions()) {
      StreamClient client = new StreamClient(c, nodes, deadline, run.accepted::put);
      run.streams.add(run.clients.schedule(client::run, c.startAt().toMillis(), TimeUnit.MILLISECONDS));
    }
    if (!workload.batch().isEmpty()) {
      run.batch = run.clients.submit(() -> new BatchClient(workload, nodes, deadline).run());
    }
    return run;
  }

  /**
   * Starts one more stream now, from the reserve, so that a fault that found no target gets one;
   * false when the reserve is used up. Its output is checked like every other stream's.
   */
  synchronized boolean startReserve() {
    Workload.Completion c = reserve.poll();
    if (c == null) {
      return false;
    }
    StreamClient client = new StreamClient(c, nodes, deadline, accepted::put);
    streams.add(clients.submit(client::run));
    return true;
  }

  /** Session ids accepted so far, by completion index. */
  Map<Integer, String> accepted() {
    return Map.copyOf(accepted);
  }

  long done() {
    return streams.stream().filter(Future::isDone).count() + (batch != null && batch.isDone() ? 1 : 0);
  }

  int total() {
    return streams.size() + (batch != null ? 1 : 0);
  }

  /** Waits for every client, reporting progress every {@code every}; clients stop at their own deadline. */
  void await(Duration every, Consumer<String> progress, String scenario) {
    while (done() < total()) {
      progress.accept("scenario " + scenario + ": " + done() + "/" + total() + " clients done ("
          + streams.size() + " streams" + (batch != null ? " + 1 batch" : "") + ")");
      Poll.pause(every.toMillis());
    }
  }

  List<StreamLog> streamLogs() {
    List<StreamLog> out = new ArrayList<>();
    for (Future<StreamLog> f : streams) {
      out.add(get(f));
    }
    return out;
  }

  BatchClient.BatchLog batchLog() {
    return batch == null ? null : get(batch);
  }

  private static <T> T get(Future<T> f) {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("a chaos client crashed: " + e.getCause(), e.getCause());
    }
  }

  @Override
  public void close() {
    clients.shutdownNow();
  }
}
