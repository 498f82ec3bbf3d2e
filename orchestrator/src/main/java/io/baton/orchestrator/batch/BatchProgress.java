package io.baton.orchestrator.batch;

import io.baton.actors.batch.BatchStatus;
import io.baton.actors.batch.RequestCounts;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToIntFunction;

/**
 * Batch progress for /metrics, as the batches this node drives report it. Only totals are exported,
 * never one series per batch (batch ids are unbounded): gauges over the unfinished batches driven
 * here, and counters of lines finished and batches ended here. Fed from every batch state or
 * answer the driver sees; called from the driver's stream stages, hence the concurrent map.
 */
final class BatchProgress {
  private record Seen(BatchStatus status, RequestCounts counts) {}

  private static final List<BatchStatus> UNFINISHED =
      List.of(BatchStatus.VALIDATING, BatchStatus.IN_PROGRESS, BatchStatus.FINALIZING, BatchStatus.CANCELLING);

  private final MeterRegistry registry;
  private final Map<String, Seen> driven = new ConcurrentHashMap<>();
  private final Counter linesCompleted;
  private final Counter linesFailed;

  BatchProgress(MeterRegistry registry) {
    this.registry = registry;
    for (BatchStatus status : UNFINISHED) {
      Gauge.builder("baton.batches.active", driven, m -> m.values().stream().filter(s -> s.status() == status).count())
          .description("Unfinished batches this node drives, by status").tag("status", status.wireName())
          .register(registry);
    }
    lines("total", RequestCounts::total);
    lines("completed", RequestCounts::completed);
    lines("failed", RequestCounts::failed);
    this.linesCompleted = finished("completed");
    this.linesFailed = finished("failed");
  }

  private void lines(String state, ToIntFunction<RequestCounts> count) {
    Gauge.builder("baton.batch.lines", driven,
            m -> m.values().stream().mapToInt(s -> count.applyAsInt(s.counts())).sum())
        .description("Lines (requests) of the unfinished batches this node drives: total, completed, failed;"
            + " progress is (completed + failed) / total").tag("state", state)
        .register(registry);
  }

  private Counter finished(String outcome) {
    return Counter.builder("baton.batch.lines.finished").tag("outcome", outcome)
        .description("Batch lines counted as finished by the batches this node drives, since the node started")
        .register(registry);
  }

  /**
   * The batch is now as given (a state read, or a command's answer). Lines newly finished since the
   * last sighting are counted; a batch seen first is the baseline, so a driver that takes a batch
   * over does not count its earlier lines again. A terminal status ends the batch here, once.
   */
  void seen(String batchId, BatchStatus status, RequestCounts counts) {
    if (status == BatchStatus.NEW) {
      return;
    }
    Seen before = status.isTerminal() ? driven.remove(batchId) : driven.put(batchId, new Seen(status, counts));
    if (before == null) {
      return;
    }
    linesCompleted.increment(Math.max(0, counts.completed() - before.counts().completed()));
    linesFailed.increment(Math.max(0, counts.failed() - before.counts().failed()));
    if (status.isTerminal()) {
      Counter.builder("baton.batches.ended").tag("status", status.wireName())
          .description("Batches this node drove to their end, by final status").register(registry).increment();
    }
  }
}
