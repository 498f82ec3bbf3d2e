package io.baton.http.metrics;

import io.baton.actors.app.SessionService;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the HTTP layer measures, into the node's one registry. Sessions are counted as the requests
 * (and the batch lines, which use the same gateway) that submitted them saw them: submitted, then
 * ended once with an outcome; the in-flight gauge is the difference on this node. Time to first
 * token and between tokens are taken where the client's stream is written, so they include
 * everything the client waits for: queueing, placement, prefill, chunked flushes, the journal and
 * the follower.
 */
public final class HttpMetrics implements SessionService.Listener {
  private final MeterRegistry registry;
  private final Timer submit;
  private final Timer firstToken;
  private final Timer interToken;
  private final AtomicInteger inFlight = new AtomicInteger();

  public HttpMetrics(MeterRegistry registry) {
    this.registry = registry;
    // Submit is answered after its SessionSubmitted event is persisted: one journal write plus a
    // sharding hop, the closest view of journal write latency the HTTP layer has.
    this.submit = timer("baton.session.submit", "Submit acknowledged: one journal write and a sharding hop");
    this.firstToken = timer("baton.time.to.first.token", "request received to first token written, streamed requests");
    this.interToken = timer("baton.inter.token.latency",
        "time between tokens written to a stream, per token after the first chunk");
    Gauge.builder("baton.sessions.in.flight", inFlight, AtomicInteger::get).strongReference(true)
        .description("Sessions submitted through this node (requests and batch lines) that have not ended yet")
        .register(registry);
  }

  private Timer timer(String name, String description) {
    return Timer.builder(name).description(description).publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofMinutes(5)).register(registry);
  }

  @Override
  public void limited(String tenant, String limit) {
    Counter.builder("baton.requests.limited").tag("tenant", tenant).tag("limit", limit)
        .description("Requests refused with a 429 because their tenant was at a limit (tokens per minute, open"
            + " requests)")
        .register(registry).increment();
  }

  @Override
  public void submitted(String model, Duration ack) {
    submit.record(ack);
    Counter.builder("baton.sessions.submitted").tag("model", model)
        .description("Sessions accepted by a Submit from this node (requests and batch lines)")
        .register(registry).increment();
  }

  /**
   * Follows the session of one request until it ends.
   *
   * @param startNanos when the request arrived ({@link System#nanoTime()})
   * @param streamed whether token timings are taken: only a streamed answer shows them to the client
   */
  public Tracker track(String model, long startNanos, boolean streamed) {
    inFlight.incrementAndGet();
    return new Tracker(this, model, startNanos, streamed);
  }

  /** The session of one request, seen from its answer. Stages call it from one thread at a time. */
  public static final class Tracker {
    /** For a stream read again (GET /v1/sessions/{id}/stream): its session was counted by its request. */
    public static final Tracker UNTRACKED = new Tracker(null, null, 0, false);

    private final HttpMetrics metrics;
    private final String model;
    private final long start;
    private final boolean timed;
    private final AtomicBoolean ended = new AtomicBoolean();
    private long lastToken = -1;

    private Tracker(HttpMetrics metrics, String model, long start, boolean timed) {
      this.metrics = metrics;
      this.model = model;
      this.start = start;
      this.timed = timed && metrics != null;
    }

    /**
     * {@code count} tokens are being written now. Workers flush tokens in chunks, so the gap since
     * the previous chunk is shared among its tokens: what the client sees as the decode rate. The
     * first chunk gives the time to first token only; tokens that came with it have no gap to show.
     */
    public void tokens(int count) {
      if (!timed || count < 1) {
        return;
      }
      long now = System.nanoTime();
      if (lastToken < 0) {
        metrics.firstToken.record(now - start, TimeUnit.NANOSECONDS);
      } else {
        long each = (now - lastToken) / count;
        for (int i = 0; i < count; i++) {
          metrics.interToken.record(each, TimeUnit.NANOSECONDS);
        }
      }
      lastToken = now;
    }

    /**
     * How the session ended for this request: completed, stopped (a stop sequence), failed,
     * cancelled, lost, or disconnected (the client left first). Only the first call counts.
     */
    public void ended(String outcome) {
      if (metrics == null || !ended.compareAndSet(false, true)) {
        return;
      }
      metrics.inFlight.decrementAndGet();
      Counter.builder("baton.sessions.ended").tag("model", model).tag("outcome", outcome)
          .description("Sessions that ended, as the request or batch line that submitted them saw it, by outcome")
          .register(metrics.registry).increment();
    }
  }
}
