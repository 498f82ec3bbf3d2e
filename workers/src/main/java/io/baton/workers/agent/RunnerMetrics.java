package io.baton.workers.agent;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * What session runners measure: how long the session takes to make their writes durable. The
 * session acknowledges an {@code AppendTokens} or a {@code CheckpointKv} only after the event is in
 * its journal, so the time from the worker's send to the acknowledgement is journal write latency as
 * the worker lives it: the sharding hop there and back plus the Cassandra write. Tagged by model
 * (a handful per fleet); shared by every runner of an agent, called from their actors.
 */
public final class RunnerMetrics {
  /** For runners started outside an agent, as in tests: measures nothing. */
  public static final RunnerMetrics NONE = new RunnerMetrics(null);

  static final String APPEND = "baton.journal.append";
  static final String CHECKPOINT = "baton.journal.checkpoint";

  private final MeterRegistry registry;
  private final Map<String, Timer> timers = new ConcurrentHashMap<>();

  /** @param registry where the timers go; null measures nothing */
  public RunnerMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** A chunk of tokens, first sent {@code nanos} ago, was acknowledged (resends included). */
  void appendAcknowledged(String model, long nanos) {
    record(APPEND, "Worker's AppendTokens chunk sent until the session acknowledged it after its journal write"
        + " (sharding hop plus Cassandra write; includes resends of an unanswered chunk)", model, nanos);
  }

  /** A KV checkpoint's CheckpointKv, first sent {@code nanos} ago, was acknowledged (block upload not included). */
  void checkpointAcknowledged(String model, long nanos) {
    record(CHECKPOINT, "Worker's CheckpointKv sent until the session acknowledged its KvCheckpointed journal write"
        + " (the KV block upload before it is not included)", model, nanos);
  }

  private void record(String name, String description, String model, long nanos) {
    if (registry == null) {
      return;
    }
    timers.computeIfAbsent(name + '|' + model, k -> Timer.builder(name).description(description).tag("model", model)
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(30))
            .register(registry))
        .record(nanos, TimeUnit.NANOSECONDS);
  }
}
