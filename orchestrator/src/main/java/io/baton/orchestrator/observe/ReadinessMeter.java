package io.baton.orchestrator.observe;

import io.baton.http.HealthRoutes;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.management.javadsl.CheckResult;
import org.apache.pekko.management.javadsl.HealthChecks;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Readiness as a metric: every {@link #EVERY} it runs the same pekko-management readiness checks
 * that answer {@code /ready}, and shows the result as {@code baton_node_ready} (1 ready, 0 not) and
 * each change as {@code baton_node_ready_changes_total}, so a flapping node shows even when it
 * flaps between two scrapes. Each change is logged once ({@code event=readiness ready=false
 * reason=...}), which tells an operator which check failed.
 */
final class ReadinessMeter {
  static final Duration EVERY = Duration.ofSeconds(5);
  private static final Logger log = LoggerFactory.getLogger(ReadinessMeter.class);

  private final HealthChecks checks;
  private final AtomicInteger ready = new AtomicInteger();
  private final Counter changes;
  /** -1 until the first check. */
  private int last = -1;
  /** Changes count once the node was ready: its start's not ready, then ready, is no flap. */
  private boolean wasReady;

  private ReadinessMeter(ActorSystem<?> system, MeterRegistry registry) {
    this.checks = HealthRoutes.checks((ExtendedActorSystem) system.classicSystem());
    Gauge.builder("baton.node.ready", ready, AtomicInteger::get).strongReference(true)
        .description("1 while this node's readiness checks (those of /ready) pass, else 0; checked every "
            + EVERY.toSeconds() + " s")
        .register(registry);
    this.changes = Counter.builder("baton.node.ready.changes")
        .description("Times this node's readiness changed (ready to not ready or back) since it started")
        .register(registry);
  }

  static void start(ActorSystem<?> system, MeterRegistry registry) {
    ReadinessMeter meter = new ReadinessMeter(system, registry);
    system.scheduler().scheduleWithFixedDelay(Duration.ZERO, EVERY, meter::check, system.executionContext());
  }

  /** On the scheduler; checks end within pekko-management's check-timeout, well before the next. */
  private void check() {
    checks.readyResult().whenComplete((result, error) -> observed(error == null && result.isSuccess(),
        error != null ? String.valueOf(error.getMessage()) : reason(result)));
  }

  private synchronized void observed(boolean isReady, String reason) {
    int now = isReady ? 1 : 0;
    ready.set(now);
    if (now == last) {
      return;
    }
    if (wasReady) {
      changes.increment();
    }
    wasReady |= isReady;
    last = now;
    if (isReady) {
      log.info("event=readiness ready=true");
    } else {
      log.info("event=readiness ready=false reason=\"{}\"", reason);
    }
  }

  private static String reason(CheckResult result) {
    return result.failure().orElse("a readiness check failed");
  }
}
