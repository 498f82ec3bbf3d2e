package io.baton.chaos.report;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * Where a fault's label goes in the band above the lanes. Faults injected a second apart would
 * print their labels over each other, so each label takes the first row where it fits.
 *
 * @param anchorEnd the label is drawn to the left of its line because it would run off the right
 */
record FaultLabel(double x, int row, boolean anchorEnd, String text) {
  /** Width of one character at font size 10, as used by the label row assignment. */
  private static final double CHAR_WIDTH = 6.1;

  static List<FaultLabel> layout(List<FaultRecord> faults, ToDoubleFunction<Instant> xOf,
      double width, int maxRows) {
    double[] rowEnd = new double[maxRows];
    Arrays.fill(rowEnd, Double.NEGATIVE_INFINITY);
    List<FaultLabel> out = new ArrayList<>();
    List<FaultRecord> sorted = faults.stream().sorted(Comparator.comparing(FaultRecord::at)).toList();
    for (FaultRecord f : sorted) {
      String text = f.target().isEmpty() ? f.kind() : f.kind() + " " + f.target();
      double x = xOf.applyAsDouble(f.at());
      double w = text.length() * CHAR_WIDTH + 6;
      boolean anchorEnd = x + w > width - 4;
      double from = anchorEnd ? x - w : x;
      int row = 0;
      for (int r = 0; r < maxRows; r++) {
        if (rowEnd[r] < from - 2) {
          row = r;
          break;
        }
        // No free row: overlap in the row that frees up first, rather than grow without bound.
        if (rowEnd[r] < rowEnd[row]) {
          row = r;
        }
      }
      rowEnd[row] = Math.max(rowEnd[row], anchorEnd ? x : x + w);
      out.add(new FaultLabel(x, row, anchorEnd, text));
    }
    return out;
  }
}
