package io.baton.chaos.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** Writes the chaos suite's report: JSON for machines, Markdown + SVG timelines for people. */
public final class ReportWriter {
  /** How many failures the verdict names before it says "+N more": it must stay one line. */
  private static final int VERDICT_FAILURES = 3;

  private ReportWriter() {}

  /** Writes chaos-report.json, chaos-report.md and timeline-<scenario>.svg into dir; returns the verdict line. */
  public static String write(Path dir, List<ChaosReport> runs) throws IOException {
    Files.createDirectories(dir);
    String verdict = verdict(runs);
    boolean passed = !runs.isEmpty() && runs.stream().allMatch(ChaosReport::passed);
    ReportJson.write(dir.resolve("chaos-report.json"), new ReportFile(verdict, passed, runs));
    List<String> stems = timelineStems(runs);
    for (int i = 0; i < runs.size(); i++) {
      Files.writeString(dir.resolve(timelineFile(stems.get(i))), TimelineSvg.render(runs.get(i)),
          StandardCharsets.UTF_8);
    }
    Files.writeString(dir.resolve("chaos-report.md"), MarkdownReport.render(verdict, runs, stems),
        StandardCharsets.UTF_8);
    return verdict;
  }

  public static String verdict(List<ChaosReport> runs) {
    if (runs.isEmpty()) {
      return "chaos: FAIL — no scenario ran";
    }
    List<ChaosReport> failed = runs.stream().filter(r -> !r.passed()).toList();
    return failed.isEmpty() ? passVerdict(runs) : failVerdict(runs, failed);
  }

  private static String passVerdict(List<ChaosReport> runs) {
    Set<Integer> invariantCounts =
        runs.stream().map(r -> r.invariants().size()).collect(Collectors.toSet());
    String invariants = invariantCounts.size() == 1
        ? invariantCounts.iterator().next() + "/" + invariantCounts.iterator().next()
            + " invariants each"
        : "every invariant held";
    int sessions = runs.stream().mapToInt(r -> r.sessions().size()).sum();
    RecoverySample worst = RecoveryStats.worst(
        runs.stream().flatMap(r -> r.recoveries().stream()).toList());
    String recovery = worst == null ? "no recovery measured"
        : "worst recovery " + worst.millis() + " ms of " + worst.boundMillis() + " ms bound ("
            + worst.faultKind() + ")";
    return "chaos: PASS — " + plural(runs.size(), "scenario") + ", " + invariants + ", "
        + plural(sessions, "session") + ", " + recovery;
  }

  private static String failVerdict(List<ChaosReport> runs, List<ChaosReport> failed) {
    List<String> reasons = new ArrayList<>();
    for (ChaosReport run : failed) {
      String label = label(run, runs);
      if (run.invariants().isEmpty()) {
        reasons.add(label + ": no invariant was checked");
      }
      run.invariants().stream().filter(i -> !i.passed()).forEach(i -> reasons.add(
          label + ": invariant " + i.number() + " (" + i.name() + ") failed"
              + (i.detail().isBlank() ? "" : ": " + Fmt.oneLine(i.detail(), 90))));
    }
    String named = String.join("; ", reasons.subList(0, Math.min(VERDICT_FAILURES, reasons.size())));
    String more = reasons.size() > VERDICT_FAILURES
        ? "; +" + (reasons.size() - VERDICT_FAILURES) + " more" : "";
    return "chaos: FAIL — " + failed.size() + " of " + plural(runs.size(), "scenario") + " failed — "
        + named + more;
  }

  /** The scenario name, with the seed when the same scenario ran more than once. */
  static String label(ChaosReport run, List<ChaosReport> runs) {
    long same = runs.stream().filter(r -> r.scenario().equals(run.scenario())).count();
    return same > 1 ? run.scenario() + " (seed " + run.seed() + ")" : run.scenario();
  }

  static String timelineFile(String stem) {
    return "timeline-" + stem + ".svg";
  }

  /**
   * One file stem per run: the scenario name, made file-safe; the seed, then the position, is
   * appended only when two runs would otherwise overwrite each other's picture.
   */
  static List<String> timelineStems(List<ChaosReport> runs) {
    Set<String> taken = new HashSet<>();
    List<String> stems = new ArrayList<>();
    for (int i = 0; i < runs.size(); i++) {
      ChaosReport run = runs.get(i);
      String stem = Fmt.fileSafe(run.scenario());
      if (!taken.add(stem)) {
        stem = Fmt.fileSafe(run.scenario()) + "-seed" + run.seed();
        if (!taken.add(stem)) {
          stem = stem + "-" + (i + 1);
          taken.add(stem);
        }
      }
      stems.add(stem);
    }
    return stems;
  }

  private static String plural(int n, String noun) {
    return n + " " + noun + (n == 1 ? "" : "s");
  }
}
