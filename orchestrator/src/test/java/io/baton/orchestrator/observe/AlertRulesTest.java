package io.baton.orchestrator.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The shipped alert rules and dashboard as files: the alerts operators are promised, each with what
 * an on-call needs, and a runbook that exists. Whether their metrics exist is MetricsContractIT's.
 */
class AlertRulesTest {
  private static final Set<String> ALERTS = Set.of("BatonSparePoolEmpty", "BatonGpuRetired",
      "BatonGpusOutOfRotation", "BatonMigrationRateHigh", "BatonTtftP99High", "BatonJournalAppendP99High",
      "BatonNodeUnreachable", "BatonReadinessFlapping");

  @Test
  void everyAlertHasASummaryADescriptionAndAnExistingRunbook() throws Exception {
    Set<String> names = new HashSet<>();
    for (JsonNode group : new YAMLMapper().readTree(MetricContract.ALERTS.toFile()).path("groups")) {
      for (JsonNode rule : group.path("rules")) {
        String name = rule.path("alert").asText();
        assertTrue(names.add(name), "one rule per alert: " + name);
        JsonNode annotations = rule.path("annotations");
        assertFalse(annotations.path("summary").asText().isBlank(), name + " has a summary");
        assertFalse(annotations.path("description").asText().isBlank(), name + " has a description");
        String runbook = annotations.path("runbook_url").asText();
        assertTrue(runbook.matches("ops/runbooks/[a-z-]+\\.md"), name + ": " + runbook);
        assertTrue(Files.isRegularFile(Path.of("..").resolve(runbook)), name + "'s runbook exists: " + runbook);
        assertFalse(rule.path("labels").path("severity").asText().isBlank(), name + " has a severity");
      }
    }
    assertEquals(ALERTS, names);
  }

  @Test
  void theDashboardAsksForItsDatasourceAndNode() throws Exception {
    JsonNode dashboard = new ObjectMapper().readTree(MetricContract.DASHBOARD.toFile());
    Set<String> variables = new HashSet<>();
    dashboard.path("templating").path("list").forEach(v -> variables.add(v.path("name").asText()));
    assertEquals(Set.of("datasource", "node"), variables);
    for (JsonNode target : dashboard.findValues("targets")) {
      for (JsonNode t : target) {
        assertEquals("${datasource}", t.at("/datasource/uid").asText(), "every query uses the chosen Prometheus");
        assertTrue(t.path("expr").asText().contains("node=~\"$node\""), "every query follows the node picker: "
            + t.path("expr").asText());
      }
    }
  }
}
