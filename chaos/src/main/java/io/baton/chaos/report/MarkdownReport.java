package io.baton.chaos.report;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

/**
 * chaos-report.md: the verdict as the first line, a one-row-per-scenario summary, then each
 * scenario's faults, invariants, recovery figures, migrated sessions, GPU history and timeline.
 * Every time is relative to that run's start, so a row can be matched to the picture by eye.
 */
final class MarkdownReport {
  private MarkdownReport() {}

  static String render(String verdict, List<ChaosReport> runs, List<String> stems) {
    StringBuilder md = new StringBuilder();
    md.append("# ").append(verdict).append("\n\n");
    md.append("Chaos suite report. Times are seconds since each run's start; a run passes when all ")
        .append("of its invariants hold.\n\n");
    md.append("## Summary\n\n");
    row(md, "Scenario", "Seed", "Duration", "Sessions", "Faults", "Invariants",
        "Worst recovery vs bound", "Result");
    row(md, "---", "---:", "---:", "---:", "---:", "---:", "---", "---");
    for (ChaosReport run : runs) {
      long held = run.invariants().stream().filter(InvariantResult::passed).count();
      row(md, Fmt.cell(ReportWriter.label(run, runs)), String.valueOf(run.seed()),
          Fmt.seconds(run.duration()), String.valueOf(run.sessions().size()),
          String.valueOf(run.faults().size()), held + "/" + run.invariants().size(),
          Fmt.worst(RecoveryStats.worst(run.recoveries())), bold(run.passed()));
    }
    for (int i = 0; i < runs.size(); i++) {
      scenario(md, runs.get(i), ReportWriter.label(runs.get(i), runs), stems.get(i));
    }
    return md.toString();
  }

  private static void scenario(StringBuilder md, ChaosReport run, String label, String stem) {
    Instant t0 = run.startedAt();
    md.append("\n## ").append(label).append(" — ").append(Fmt.passFail(run.passed())).append("\n\n");
    md.append("Seed ").append(run.seed()).append(", started ").append(t0).append(", ran ")
        .append(Fmt.seconds(run.duration())).append(".");
    if (!run.settings().isEmpty()) {
      md.append(" Settings: ").append(run.settings().entrySet().stream()
          .map(e -> Fmt.cell(e.getKey()) + " " + Fmt.cell(e.getValue()))
          .collect(Collectors.joining(", "))).append(".");
    }
    md.append("\n\n");

    md.append("### Faults\n\n");
    if (run.faults().isEmpty()) {
      md.append("No fault was injected.\n");
    } else {
      row(md, "Kind", "Target", "At", "Healed", "Detail");
      row(md, "---", "---", "---:", "---:", "---");
      for (FaultRecord f : run.faults()) {
        row(md, Fmt.cell(f.kind()), Fmt.cell(f.target()), Fmt.rel(t0, f.at()),
            Fmt.rel(t0, f.healedAt()), Fmt.cell(f.detail()));
      }
    }

    md.append("\n### Invariants\n\n");
    row(md, "#", "Invariant", "Result", "Detail");
    row(md, "---:", "---", "---", "---");
    for (InvariantResult inv : run.invariants()) {
      row(md, String.valueOf(inv.number()), Fmt.cell(inv.name()), bold(inv.passed()),
          Fmt.cell(inv.detail()));
    }
    if (run.invariants().isEmpty()) {
      md.append("\nNo invariant was checked, so this run cannot pass.\n");
    }

    md.append("\n### Recovery per fault kind\n\n");
    List<RecoveryStats> stats = RecoveryStats.byKind(run.recoveries());
    if (stats.isEmpty()) {
      md.append("No recovery was measured.\n");
    } else {
      md.append("Fault to the session's first resumed token, nearest-rank percentiles.\n\n");
      row(md, "Fault kind", "Count", "p50", "p99", "Max", "Bound", "Within bound");
      row(md, "---", "---:", "---:", "---:", "---:", "---:", "---");
      for (RecoveryStats s : stats) {
        row(md, Fmt.cell(s.faultKind()), String.valueOf(s.count()), s.p50() + " ms",
            s.p99() + " ms", s.max() + " ms", Fmt.bound(s),
            s.withinBound() ? "yes" : "**no** (" + s.overBound() + " of " + s.count() + " over)");
      }
    }

    sessions(md, run);
    gpus(md, run);
    md.append("\n### Timeline\n\n![timeline](").append(ReportWriter.timelineFile(stem)).append(")\n");
  }

  private static void sessions(StringBuilder md, ChaosReport run) {
    List<SessionRecord> migrated = run.sessions().stream().filter(SessionRecord::migrated).toList();
    long completed = run.sessions().stream().filter(s -> "COMPLETED".equals(s.status())).count();
    long mismatched = run.sessions().stream().filter(s -> !s.matchesReference()).count();
    md.append("\n### Sessions that migrated\n\n").append(run.sessions().size())
        .append(" sessions: ").append(completed).append(" completed, ").append(migrated.size())
        .append(" migrated, ").append(mismatched).append(" not matching their reference.\n\n");
    if (!migrated.isEmpty()) {
      sessionTable(md, migrated);
    }
    // A session that went wrong without moving would otherwise appear nowhere but in a count.
    List<SessionRecord> wrong = run.sessions().stream()
        .filter(s -> !s.migrated() && (!s.matchesReference() || !"COMPLETED".equals(s.status())))
        .toList();
    if (!wrong.isEmpty()) {
      md.append("\nOther sessions that did not complete or do not match their reference:\n\n");
      sessionTable(md, wrong);
    }
  }

  private static void sessionTable(StringBuilder md, List<SessionRecord> sessions) {
    row(md, "Session", "Status", "Attempts", "Tokens", "Matches reference", "Note");
    row(md, "---", "---", "---", "---:", "---", "---");
    for (SessionRecord s : sessions) {
      row(md, Fmt.cell(s.sessionId()), Fmt.cell(s.status()), Fmt.cell(attempts(s)),
          String.valueOf(s.tokens()), s.matchesReference() ? "yes" : "**no**", Fmt.cell(s.note()));
    }
  }

  /** "gpuA(FRESH, xid 79) -> gpuB(KV_RESTORE)": where it ran, how it started, why it left. */
  static String attempts(SessionRecord s) {
    return s.attempts().stream()
        .sorted(Comparator.comparingInt(AttemptRecord::number))
        .map(a -> {
          List<String> parts = new ArrayList<>();
          if (!a.method().isEmpty()) {
            parts.add(a.method());
          }
          if (a.failure() != null && !a.failure().isBlank()) {
            parts.add(a.failure());
          }
          return a.workerId() + "(" + String.join(", ", parts) + ")";
        })
        .collect(Collectors.joining(" -> "));
  }

  private static void gpus(StringBuilder md, ChaosReport run) {
    md.append("\n### GPU state changes\n\n");
    if (!run.gpus().isEmpty()) {
      md.append("Final: ").append(run.gpus().stream()
          .map(g -> Fmt.cell(g.gpuId()) + " " + Fmt.cell(g.finalStatus()))
          .collect(Collectors.joining(", "))).append(".\n\n");
    }
    record Change(GpuRecord gpu, GpuChange change) {}
    List<Change> changes = run.gpus().stream()
        .flatMap(g -> g.changes().stream().map(c -> new Change(g, c)))
        .sorted(Comparator.comparing((Change c) -> c.change().at()))
        .toList();
    if (changes.isEmpty()) {
      md.append("No GPU changed state.\n");
      return;
    }
    row(md, "GPU", "Time", "Status", "By", "Reason");
    row(md, "---", "---:", "---", "---", "---");
    for (Change c : changes) {
      row(md, Fmt.cell(c.gpu().gpuId()), Fmt.rel(run.startedAt(), c.change().at()),
          Fmt.cell(c.change().status()), Fmt.cell(c.change().by()), Fmt.cell(c.change().reason()));
    }
  }

  private static String bold(boolean passed) {
    return "**" + Fmt.passFail(passed) + "**";
  }

  private static void row(StringBuilder md, String... cells) {
    md.append("| ").append(String.join(" | ", cells)).append(" |\n");
  }
}
