package io.baton.chaos.report;

import java.util.List;

/**
 * The root of chaos-report.json: the verdict line first so a script can grep it, the overall
 * result, then every run in full.
 */
public record ReportFile(String verdict, boolean passed, List<ChaosReport> runs) {
  public ReportFile {
    runs = runs == null ? List.of() : List.copyOf(runs);
  }
}
