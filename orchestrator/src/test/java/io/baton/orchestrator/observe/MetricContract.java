package io.baton.orchestrator.observe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The metrics the shipped dashboard and alert rules use, and what a scrape lacks of them: a metric
 * name no series has, a label a selector or a grouping uses that its metrics do not carry, or a
 * value an {@code =} matcher asks for that no series has.
 */
final class MetricContract {
  /** Labels Prometheus adds to every series at scrape time: never on /metrics itself. */
  private static final Set<String> TARGET_LABELS = Set.of("job", "instance");

  static final Path DASHBOARD = Path.of("..", "ops", "grafana", "baton.json");
  static final Path ALERTS = Path.of("..", "ops", "prometheus", "alerts.yaml");

  private MetricContract() {}

  /** Every PromQL expression of the dashboard's panels and variables, and of the alert rules. */
  static List<String> expressions() throws IOException {
    List<String> out = new ArrayList<>();
    JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
    dashboard.findValues("expr").forEach(e -> out.add(e.asText()));
    for (JsonNode variable : dashboard.path("templating").path("list")) {
      if (variable.path("type").asText().equals("query")) {
        JsonNode query = variable.path("query");
        out.add(query.isObject() ? query.path("query").asText() : query.asText());
      }
    }
    JsonNode rules = new YAMLMapper().readTree(ALERTS.toFile());
    for (JsonNode group : rules.path("groups")) {
      for (JsonNode rule : group.path("rules")) {
        out.add(rule.path("expr").asText());
      }
    }
    return out;
  }

  static List<String> violations(Scrape scrape, List<String> expressions) {
    List<String> out = new ArrayList<>();
    for (String expression : expressions) {
      PromQlRefs refs = PromQlRefs.parse(expression);
      Set<String> available = new HashSet<>(TARGET_LABELS);
      for (PromQlRefs.Selector s : refs.selectors()) {
        if (!scrape.has(s.metric())) {
          out.add("no metric " + s.metric() + " (in: " + expression + ")");
          continue;
        }
        available.addAll(scrape.labelsOf(s.metric()));
        for (String label : s.labels()) {
          if (!TARGET_LABELS.contains(label) && !scrape.labelsOf(s.metric()).contains(label)) {
            out.add(s.metric() + " has no label " + label + " (in: " + expression + ")");
          }
        }
        for (Map.Entry<String, String> m : s.equal().entrySet()) {
          boolean variable = m.getValue().contains("$");
          if (!variable && !TARGET_LABELS.contains(m.getKey())
              && !scrape.valuesOf(s.metric(), m.getKey()).contains(m.getValue())) {
            out.add(s.metric() + " has no series with " + m.getKey() + "=\"" + m.getValue() + "\" (in: "
                + expression + ")");
          }
        }
      }
      for (String label : refs.groupingLabels()) {
        if (!available.contains(label)) {
          out.add("no metric of the expression has label " + label + " (in: " + expression + ")");
        }
      }
    }
    return out;
  }
}
