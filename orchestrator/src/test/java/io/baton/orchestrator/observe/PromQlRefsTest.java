package io.baton.orchestrator.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PromQlRefsTest {
  @Test
  void findsMetricsMatchersAndGroupings() {
    PromQlRefs refs = PromQlRefs.parse("histogram_quantile(0.99, sum by (le, model) "
        + "(rate(baton_journal_append_seconds_bucket{node=~\"$node\", model=\"baton-small\"}[$__rate_interval])))"
        + " > on (node) group_left baton_node_ready");
    assertEquals(List.of("baton_journal_append_seconds_bucket", "baton_node_ready"),
        refs.selectors().stream().map(PromQlRefs.Selector::metric).toList());
    assertEquals(Set.of("node", "model"), refs.selectors().get(0).labels());
    assertEquals(Map.of("model", "baton-small"), refs.selectors().get(0).equal());
    assertEquals(Set.of("le", "model", "node"), refs.groupingLabels());
  }

  @Test
  void readsGrafanaLabelValues() {
    PromQlRefs refs = PromQlRefs.parse("label_values(baton_gpus, node)");
    assertEquals("baton_gpus", refs.selectors().get(0).metric());
    assertEquals(Set.of("node"), refs.groupingLabels());
  }

  @Test
  void theContractReportsWhatAScrapeLacks() {
    Scrape scrape = new Scrape("""
        # TYPE baton_gpus gauge
        baton_gpus{model="baton-small",node="n1",status="spare"} 1.0
        baton_http_requests_seconds_bucket{le="0.005",method="GET",route="/v1/models",status="200"} 3
        """);
    assertTrue(MetricContract.violations(scrape, List.of(
        "max by (model) (baton_gpus{status=\"spare\"}) == 0",
        "sum by (le, route) (rate(baton_http_requests_seconds_bucket[5m]))")).isEmpty());
    assertEquals(4, MetricContract.violations(scrape, List.of(
        "baton_gpus{status=\"retired\"}",        // a value no series has
        "baton_gpus{pool=~\"spare\"}",           // a label the metric lacks
        "sum by (tenant) (baton_gpus)",         // a grouping label no metric has
        "rate(baton_migrations_total[5m])")).size()); // no such metric
  }
}
