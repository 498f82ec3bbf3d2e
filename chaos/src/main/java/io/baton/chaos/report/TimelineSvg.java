package io.baton.chaos.report;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * timeline-<scenario>.svg: one lane per GPU (its status over time), one per migrated session
 * (its attempts, coloured by GPU), faults as red dashed lines across every lane, and each
 * measured recovery as a bracket from the fault to the first resumed token.
 */
final class TimelineSvg {
  /** More lanes than this make the picture unreadable; the Markdown tables still list them all. */
  static final int MAX_SESSION_LANES = 40;
  private static final double WIDTH = 1200;
  private static final double LEFT = 200;
  private static final double PLOT = WIDTH - LEFT - 24;
  private static final double GPU_LANE = 22;
  private static final double SESSION_LANE = 32;
  private static final double FAULT_ROW = 13;
  private static final int MAX_FAULT_ROWS = 4;
  private static final String FAULT_RED = "#d32f2f";
  // Session bars identify the GPU, so none of the status colours (green, grey, orange, red,
  // yellow) appear here: a purple bar can never be misread as "this GPU was cordoned".
  private static final String[] GPU_COLORS = {"#1e88e5", "#8e24aa", "#00897b", "#6d4c41",
      "#d81b60", "#3949ab", "#00acc1", "#5e35b1", "#546e7a", "#ad1457", "#283593", "#4e342e"};

  private final ChaosReport run;
  private final SvgCanvas svg = new SvgCanvas();
  private final double span;
  private final Map<String, String> gpuColor = new LinkedHashMap<>();

  private TimelineSvg(ChaosReport run) {
    this.run = run;
    this.span = Math.max(1.0, Stream.concat(Stream.of(run.endedAt()), events())
        .mapToDouble(i -> Fmt.seconds(run.startedAt(), i)).max().orElse(1.0));
    run.gpus().forEach(g -> color(g.gpuId()));
    run.sessions().forEach(s -> s.attempts().forEach(a -> color(a.workerId())));
  }

  static String render(ChaosReport run) {
    return new TimelineSvg(run).draw();
  }

  private String draw() {
    List<SessionRecord> migrated = run.sessions().stream().filter(SessionRecord::migrated).toList();
    List<SessionRecord> lanes = TimelineLanes.pick(migrated, run.recoveries(), MAX_SESSION_LANES);
    List<FaultLabel> labels = FaultLabel.layout(run.faults(), this::x, WIDTH, MAX_FAULT_ROWS);
    int rows = labels.stream().mapToInt(FaultLabel::row).max().orElse(-1) + 1;

    double bandTop = 34;
    double axisY = bandTop + rows * FAULT_ROW + 14;
    double gpuTop = axisY + 26;
    double sessionTop = gpuTop + run.gpus().size() * GPU_LANE + 22;
    double bottom = sessionTop + lanes.size() * SESSION_LANE;

    svg.text(12, 22, run.scenario() + " — seed " + run.seed() + " — " + Fmt.passFail(run.passed())
        + " — " + Fmt.seconds(run.duration()), 14, "start", "#212121", true);
    for (FaultRecord f : run.faults()) {
      if (f.healedAt() != null) {
        svg.rect(x(f.at()), bandTop, x(f.healedAt()) - x(f.at()), bottom - bandTop, FAULT_RED,
            "fill-opacity=\"0.07\"", f.kind() + " on " + f.target() + " until healed");
      }
    }
    axis(axisY, bottom);
    svg.text(8, gpuTop - 6, run.gpus().isEmpty() ? "No GPU recorded" : "GPUs (status)", 11,
        "start", "#616161", true);
    for (int i = 0; i < run.gpus().size(); i++) {
      svg.beginGroup("gpu-lane", "gpu", run.gpus().get(i).gpuId());
      gpuLane(run.gpus().get(i), gpuTop + i * GPU_LANE);
      svg.endGroup();
    }
    svg.text(8, sessionTop - 6, migrated.isEmpty() ? "No session migrated"
        : "Migrated sessions (" + lanes.size() + " of " + migrated.size() + " shown)", 11, "start",
        "#616161", true);
    Map<String, Double> laneTop = new LinkedHashMap<>();
    for (int i = 0; i < lanes.size(); i++) {
      double top = sessionTop + i * SESSION_LANE;
      laneTop.put(lanes.get(i).sessionId(), top);
      svg.beginGroup("session-lane", "session", lanes.get(i).sessionId());
      sessionLane(lanes.get(i), top);
      svg.endGroup();
    }
    int undrawn = recoveries(lanes, laneTop);
    for (FaultLabel l : labels) {
      svg.beginGroup("fault", "label", l.text());
      double y = bandTop + l.row() * FAULT_ROW;
      svg.line(l.x(), y + 2, l.x(), bottom, FAULT_RED, 1.5, "5,3");
      svg.text(l.anchorEnd() ? l.x() - 3 : l.x() + 3, y + 10, l.text(), 10,
          l.anchorEnd() ? "end" : "start", FAULT_RED, false);
      svg.endGroup();
    }
    double end = legend(bottom + 22, migrated.size() - lanes.size(), undrawn);
    return svg.document(WIDTH, end);
  }

  private void axis(double axisY, double bottom) {
    double step = TimelineLanes.tickStep(span);
    svg.line(LEFT, axisY + 4, LEFT + PLOT, axisY + 4, "#9e9e9e", 1, "");
    svg.text(LEFT - 8, axisY, "s since start", 10, "end", "#616161", false);
    for (int k = 0; k * step <= span + 1e-9; k++) {
      double x = LEFT + k * step / span * PLOT;
      svg.line(x, axisY + 4, x, bottom, "#eeeeee", 1, "");
      svg.line(x, axisY + 1, x, axisY + 7, "#9e9e9e", 1, "");
      String label = step < 1 ? String.format(Locale.ROOT, "%.1f", k * step)
          : String.valueOf(Math.round(k * step));
      svg.text(x, axisY - 2, label, 10, "middle", "#616161", false);
    }
  }

  private void gpuLane(GpuRecord gpu, double top) {
    svg.rect(10, top + 6, 10, 10, gpuColor.get(gpu.gpuId()), "", "session bars on this GPU");
    svg.text(24, top + 15, SvgCanvas.fit(gpu.gpuId(), LEFT - 30), 11, "start", "#212121", false);
    List<GpuChange> changes = gpu.changes().stream()
        .sorted(Comparator.comparing(GpuChange::at)).toList();
    if (changes.isEmpty()) {
      statusBar(gpu.finalStatus(), LEFT, LEFT + PLOT, top,
          gpu.gpuId() + ": " + gpu.finalStatus() + " throughout (no change recorded)");
    }
    for (int k = 0; k < changes.size(); k++) {
      GpuChange c = changes.get(k);
      double to = k + 1 < changes.size() ? x(changes.get(k + 1).at()) : LEFT + PLOT;
      statusBar(c.status(), x(c.at()), to, top, gpu.gpuId() + ": " + c.status()
          + " from " + Fmt.rel(run.startedAt(), c.at()) + " by " + c.by()
          + (c.reason().isEmpty() ? "" : " — " + c.reason()));
    }
  }

  private void statusBar(String status, double from, double to, double top,
      String title) {
    String fill = TimelineLanes.statusColor(status);
    svg.rect(from, top + 3, to - from, GPU_LANE - 6, fill, "", title);
    String label = SvgCanvas.fit(status, to - from - 6);
    boolean dark = !fill.equals("#fdd835") && !fill.equals("#bdbdbd") && !fill.equals("#cfd8dc");
    svg.text(from + 3, top + 15, label, 10, "start", dark ? "white" : "#212121", false);
  }

  private void sessionLane(SessionRecord s, double top) {
    boolean ok = s.matchesReference() && "COMPLETED".equals(s.status());
    svg.text(8, top + 26, SvgCanvas.fit(s.sessionId() + (ok ? "" : " ✗"), LEFT - 14), 11,
        "start", ok ? "#212121" : FAULT_RED, !ok);
    List<AttemptRecord> attempts = s.attempts().stream()
        .sorted(Comparator.comparingInt(AttemptRecord::number)).toList();
    double barY = top + 16;
    for (int k = 0; k < attempts.size(); k++) {
      AttemptRecord a = attempts.get(k);
      Instant endAt = a.endedAt() != null ? a.endedAt()
          : k == attempts.size() - 1 && s.endedAt() != null ? s.endedAt() : null;
      double x1 = x(a.placedAt());
      double x2 = endAt == null ? LEFT + PLOT : x(endAt);
      svg.rect(x1, barY, x2 - x1, 14, gpuColor.get(a.workerId()), "", "attempt " + a.number()
          + " on " + a.workerId() + " (" + a.method() + "), placed "
          + Fmt.rel(run.startedAt(), a.placedAt()) + ", first token "
          + Fmt.rel(run.startedAt(), a.firstTokenAt()) + ", ended "
          + Fmt.rel(run.startedAt(), endAt) + (a.failure() == null ? "" : ", " + a.failure()));
      svg.text(x1 + 3, barY + 11, SvgCanvas.fit(a.workerId(), x2 - x1 - 6), 10, "start", "white",
          false);
      if (a.firstTokenAt() != null) {
        double xf = x(a.firstTokenAt());
        svg.polygon("#212121", "first token of attempt " + a.number(), xf - 4, barY - 3, xf + 4,
            barY - 3, xf, barY + 3);
      }
      if (a.failure() != null && endAt != null) {
        svg.line(x2, barY - 2, x2, barY + 16, FAULT_RED, 2.5, "");
      }
    }
  }

  /** Draws the brackets; returns how many samples had no lane to be drawn in. */
  private int recoveries(List<SessionRecord> lanes, Map<String, Double> laneTop) {
    int undrawn = 0;
    for (RecoverySample r : run.recoveries()) {
      Double top = laneTop.get(r.sessionId());
      SessionRecord s = lanes.stream().filter(l -> l.sessionId().equals(r.sessionId()))
          .findFirst().orElse(null);
      AttemptRecord resumed = s == null ? null : TimelineLanes.resumedAttempt(s, r, run.faults());
      if (top == null || resumed == null) {
        undrawn++;
        continue;
      }
      Instant end = resumed.firstTokenAt();
      double x2 = x(end);
      double x1 = x(end.minus(Duration.ofMillis(r.millis())));
      String color = r.withinBound() ? "#212121" : FAULT_RED;
      double y = top + 11;
      svg.line(x1, y, x2, y, color, 1, "");
      svg.line(x1, y - 4, x1, y + 3, color, 1, "");
      svg.line(x2, y - 4, x2, y + 3, color, 1, "");
      String text = r.millis() + " ms" + (r.withinBound() ? "" : " > " + r.boundMillis() + " ms");
      svg.text((x1 + x2) / 2, y - 2, text, 10, "middle", color, !r.withinBound());
    }
    return undrawn;
  }

  private double legend(double y, int omitted, int undrawn) {
    double x = 8;
    String[][] items = {{"ACTIVE", "ACTIVE"}, {"SPARE", "SPARE"},
        {"SUSPECT", "SUSPECT/RESETTING"}, {"CORDONED", "CORDONED/RETIRED"}, {"DRAINING", "DRAINING"}};
    for (String[] item : items) {
      svg.rect(x, y - 9, 12, 10, TimelineLanes.statusColor(item[0]), "", "");
      svg.text(x + 16, y, item[1], 10, "start", "#212121", false);
      x += 26 + item[1].length() * 6.1;
    }
    svg.line(x, y - 10, x, y + 2, FAULT_RED, 1.5, "5,3");
    svg.text(x + 6, y, "fault", 10, "start", "#212121", false);
    svg.polygon("#212121", "", x + 50, y - 8, x + 58, y - 8, x + 54, y - 2);
    svg.text(x + 62, y, "first token", 10, "start", "#212121", false);
    svg.text(x + 140, y, "|— 412 ms —| fault to first resumed token", 10, "start", "#212121",
        false);
    double line = y + 16;
    svg.text(8, line, "Session bars take their GPU's colour (swatch beside each GPU); a red tick"
        + " ends a failed attempt; ✗ marks a session that did not complete or match.", 10,
        "start", "#616161", false);
    if (omitted > 0) {
      line += 14;
      svg.text(8, line, omitted + " more migrated sessions not shown (lane cap "
          + MAX_SESSION_LANES + "); chaos-report.md lists them all.", 10, "start", FAULT_RED, false);
    }
    if (undrawn > 0) {
      line += 14;
      svg.text(8, line, undrawn + " recovery samples not drawn (their session has no lane); see"
          + " the recovery table.", 10, "start", "#616161", false);
    }
    return line + 12;
  }

  private double x(Instant at) {
    double s = Fmt.seconds(run.startedAt(), at);
    return LEFT + Math.max(0, Math.min(s, span)) / span * PLOT;
  }

  private void color(String workerId) {
    gpuColor.computeIfAbsent(workerId, k -> GPU_COLORS[gpuColor.size() % GPU_COLORS.length]);
  }

  private Stream<Instant> events() {
    return Stream.of(
        run.faults().stream().flatMap(f -> Stream.of(f.at(), f.healedAt())),
        run.sessions().stream().flatMap(s -> Stream.concat(Stream.of(s.endedAt()),
            s.attempts().stream().flatMap(a -> Stream.of(a.placedAt(), a.firstTokenAt(),
                a.endedAt())))),
        run.gpus().stream().flatMap(g -> g.changes().stream().map(GpuChange::at)))
        .flatMap(s -> s).filter(Objects::nonNull);
  }
}
