package io.baton.chaos.report;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/** Formatting shared by the Markdown and SVG writers, so both show the same numbers. */
final class Fmt {
  private Fmt() {}

  /** Seconds since the run started, 0.1 s precision: "+12.3 s"; "—" for a missing instant. */
  static String rel(Instant start, Instant at) {
    return at == null ? "—" : String.format(Locale.ROOT, "+%.1f s", seconds(start, at));
  }

  static double seconds(Instant start, Instant at) {
    return Duration.between(start, at).toMillis() / 1000.0;
  }

  static String seconds(Duration d) {
    return String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
  }

  static String bound(RecoveryStats s) {
    return s.minBound() == s.maxBound() ? s.maxBound() + " ms"
        : s.minBound() + "–" + s.maxBound() + " ms";
  }

  /** "812 ms of 1000 ms (xid-79)", flagged when over; "—" when nothing was measured. */
  static String worst(RecoverySample w) {
    if (w == null) {
      return "—";
    }
    return w.millis() + " ms of " + w.boundMillis() + " ms (" + w.faultKind() + ")"
        + (w.withinBound() ? "" : " OVER BOUND");
  }

  static String passFail(boolean passed) {
    return passed ? "PASS" : "FAIL";
  }

  static String yesNo(boolean b) {
    return b ? "yes" : "no";
  }

  /** One line, at most {@code max} characters: the verdict must stay a single readable line. */
  static String oneLine(String s, int max) {
    String flat = s.replaceAll("\\s+", " ").trim();
    return flat.length() <= max ? flat : flat.substring(0, max - 1) + "…";
  }

  /**
   * A Markdown table cell: a pipe would split the cell, a newline would end the table, and a
   * {@code <} may open an HTML tag that swallows the text. {@code >} stays, so "a -> b" reads as is.
   */
  static String cell(String s) {
    if (s == null || s.isEmpty()) {
      return "—";
    }
    return s.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;")
        .replaceAll("\\s*\\R\\s*", " ");
  }

  /** Text and attribute values in SVG. */
  static String xml(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      switch (c) {
        case '&' -> b.append("&amp;");
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&apos;");
        default -> {
          // Control characters other than tab/newline are not allowed in XML 1.0 at all.
          if (c >= 0x20 || c == '\t' || c == '\n') {
            b.append(c);
          }
        }
      }
    }
    return b.toString();
  }

  /** A scenario name made safe for a file name. */
  static String fileSafe(String s) {
    String safe = s.replaceAll("[^A-Za-z0-9._-]+", "-");
    return safe.isEmpty() ? "run" : safe;
  }
}
