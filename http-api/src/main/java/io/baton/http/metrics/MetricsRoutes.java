package io.baton.http.metrics;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.charset.StandardCharsets;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.util.ByteString;

/** {@code GET /metrics} (mounted under its prefix): the node's registry in Prometheus' text format, for scraping. */
public final class MetricsRoutes extends AllDirectives {
  /**
   * Prometheus 0.0.4 text, what {@link PrometheusMeterRegistry#scrape()} writes. The version
   * parameter matters: Prometheus 3 refuses a scrape whose format it cannot tell.
   */
  private static final ContentType PROMETHEUS_TEXT =
      ContentTypes.parse("text/plain; version=0.0.4; charset=utf-8");

  private final PrometheusMeterRegistry registry;

  public MetricsRoutes(PrometheusMeterRegistry registry) {
    this.registry = registry;
  }

  public Route routes() {
    return pathEnd(() -> get(() -> complete(HttpEntities.create(PROMETHEUS_TEXT,
        ByteString.fromString(registry.scrape(), StandardCharsets.UTF_8)))));
  }
}
