package io.baton.http.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RouteTemplateTest {
  @Test
  void staticRoutesAreThemselves() {
    assertEquals("/v1/chat/completions", RouteTemplate.of("/v1/chat/completions"));
    assertEquals("/v1/models", RouteTemplate.of("/v1/models"));
    assertEquals("/health/ready", RouteTemplate.of("/health/ready"));
    assertEquals("/metrics", RouteTemplate.of("/metrics"));
    assertEquals("/admin/queues", RouteTemplate.of("/admin/queues"));
  }

  @Test
  void idsBecomeAPlaceholder() {
    assertEquals("/v1/sessions/{id}", RouteTemplate.of("/v1/sessions/chatcmpl-0123456789abcdef"));
    assertEquals("/v1/sessions/{id}/stream", RouteTemplate.of("/v1/sessions/cmpl-42/stream"));
    assertEquals("/v1/models/{id}", RouteTemplate.of("/v1/models/baton-small"));
    assertEquals("/admin/workers/{id}/cordon", RouteTemplate.of("/admin/workers/node-1-h0-g1/cordon"));
    assertEquals("/admin/chaos/workers/{id}/xid", RouteTemplate.of("/admin/chaos/workers/g7/xid"));
    assertEquals("/v1/files/{id}/content", RouteTemplate.of("/v1/files/file-abc/content"));
    assertEquals("/admin/sessions/{id}/events", RouteTemplate.of("/admin/sessions/cmpl-1/events"));
    assertEquals("/console/js/{id}", RouteTemplate.of("/console/js/app.js"));
    assertEquals("/console/webjars/uplot/{id}", RouteTemplate.of("/console/webjars/uplot/uPlot.min.css"));
  }

  @Test
  void unknownPathsShareOneValue() {
    assertEquals(RouteTemplate.OTHER, RouteTemplate.of("/wp-admin/setup.php"));
    assertEquals(RouteTemplate.OTHER, RouteTemplate.of("/v1/sessions/x/unknown"));
    assertEquals(RouteTemplate.OTHER, RouteTemplate.of("/v1/models/"), "pathEnd does not match a trailing slash");
    assertEquals(RouteTemplate.OTHER, RouteTemplate.of("/v1/sessions//stream"), "an empty id is no id");
    assertEquals(RouteTemplate.OTHER, RouteTemplate.of("/"));
    assertEquals(RouteTemplate.OTHER, RouteTemplate.of(""));
  }

  @Test
  void everyTemplateMapsToItself() {
    for (String template : RouteTemplate.all()) {
      assertEquals(template, RouteTemplate.of(template.replace("{id}", "some-id")), template);
    }
  }

  @Test
  void theTimerIsTaggedByTemplateMethodAndStatus() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    RequestMetrics metrics = new RequestMetrics(registry);
    metrics.timer(RouteTemplate.of("/v1/sessions/cmpl-1"), "GET", 404).record(Duration.ofMillis(3));
    metrics.timer(RouteTemplate.of("/v1/sessions/cmpl-2"), "GET", 404).record(Duration.ofMillis(3));
    assertEquals(1, registry.find("baton.http.requests").timers().size(), "two ids, one series");
    assertEquals(2, registry.get("baton.http.requests").tag("route", "/v1/sessions/{id}").tag("method", "GET")
        .tag("status", "404").timer().count());
    assertTrue(registry.getMeters().stream().flatMap(m -> m.getId().getTags().stream())
        .noneMatch(t -> t.getValue().contains("cmpl")), "no id in any tag");
  }
}
