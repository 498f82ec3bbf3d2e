package io.baton.http.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code baton_http_requests_seconds} by {@code route} (a {@link RouteTemplate}), {@code method} and
 * {@code status}: from the request's arrival to its response's start. A streamed answer starts with
 * its headers, so its tokens are not in this timer ({@code baton_time_to_first_token_seconds} and
 * {@code baton_inter_token_latency_seconds} have them). Wrapped around the error handling, so
 * rejections and failures are counted with the status the client got.
 */
public final class RequestMetrics extends AllDirectives {
  static final String NAME = "baton.http.requests";

  /**
   * Fixed buckets instead of a percentile histogram: one series per bucket, route, method and
   * status adds up, and these cover an API answer (milliseconds) to a long blocking completion.
   */
  private static final Duration[] BUCKETS = {Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
      Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
      Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10),
      Duration.ofSeconds(30), Duration.ofSeconds(60)};

  private final MeterRegistry registry;

  public RequestMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** {@code inner}, with each request timed and counted. */
  public Route measured(Supplier<Route> inner) {
    return extractRequest(request -> {
      long start = System.nanoTime();
      return mapResponse(response -> {
        record(request, response, System.nanoTime() - start);
        return response;
      }, inner);
    });
  }

  private void record(HttpRequest request, HttpResponse response, long nanos) {
    timer(RouteTemplate.of(request.getUri().path()), request.method().name(), response.status().intValue())
        .record(nanos, TimeUnit.NANOSECONDS);
  }

  Timer timer(String route, String method, int status) {
    return Timer.builder(NAME)
        .description("HTTP requests on the API port, from arrival to the response's start, by route template,"
            + " method and status")
        .tag("route", route).tag("method", method).tag("status", Integer.toString(status))
        .serviceLevelObjectives(BUCKETS)
        .register(registry);
  }
}
