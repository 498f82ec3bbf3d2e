package io.baton.bench;

import java.lang.management.ManagementFactory;
import java.time.Duration;

/**
 * CPU time spent by this JVM and by the Cassandra child over one phase. On a 2-core box both
 * compete for the same cores, so CPU per event explains a throughput ratio better than wall time.
 */
final class CpuMeter {
  private final long cassandraPid;
  private final long ownStart;
  private final long cassandraStart;

  CpuMeter(long cassandraPid) {
    this.cassandraPid = cassandraPid;
    this.ownStart = ownCpuNanos();
    this.cassandraStart = cassandraCpuNanos();
  }

  /** "own + cassandra" microseconds of CPU per event since this meter started. */
  String perEvent(long events) {
    double own = (ownCpuNanos() - ownStart) / 1e3 / events;
    double cassandra = (cassandraCpuNanos() - cassandraStart) / 1e3 / events;
    return String.format("%.0f + %.0f", own, cassandra);
  }

  private static long ownCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  private long cassandraCpuNanos() {
    return ProcessHandle.of(cassandraPid)
        .flatMap(p -> p.info().totalCpuDuration())
        .map(Duration::toNanos)
        .orElse(0L);
  }
}
