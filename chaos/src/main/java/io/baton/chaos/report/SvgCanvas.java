package io.baton.chaos.report;

import java.util.Locale;

/**
 * The few SVG primitives the timeline needs, written as text. Hand-written on purpose: one
 * picture of rectangles, lines and labels does not justify a rendering library, and text output
 * is stable enough to diff. Every string that reaches the document goes through {@link Fmt#xml}.
 */
final class SvgCanvas {
  static final String FONT = "font-family=\"DejaVu Sans Mono, Menlo, Consolas, monospace\"";
  /** Rough advance of one character at font size 11, used to decide whether a label fits. */
  static final double CHAR_WIDTH = 6.7;

  private final StringBuilder body = new StringBuilder();

  void rect(double x, double y, double w, double h, String fill, String extra, String title) {
    body.append("<rect x=\"").append(n(x)).append("\" y=\"").append(n(y)).append("\" width=\"")
        .append(n(Math.max(w, 0.5))).append("\" height=\"").append(n(h)).append("\" fill=\"")
        .append(fill).append('"').append(extra.isEmpty() ? "" : " " + extra);
    closeWithTitle("rect", title);
  }

  void line(double x1, double y1, double x2, double y2, String stroke, double width, String dash) {
    body.append("<line x1=\"").append(n(x1)).append("\" y1=\"").append(n(y1)).append("\" x2=\"")
        .append(n(x2)).append("\" y2=\"").append(n(y2)).append("\" stroke=\"").append(stroke)
        .append("\" stroke-width=\"").append(n(width)).append('"')
        .append(dash.isEmpty() ? "" : " stroke-dasharray=\"" + dash + "\"").append("/>\n");
  }

  /**
   * Opens a group for one lane. The class and data attribute let a test (or a script reading the
   * picture) find lanes without guessing from coordinates.
   */
  void beginGroup(String cssClass, String dataName, String dataValue) {
    body.append("<g class=\"").append(cssClass).append("\" data-").append(dataName).append("=\"")
        .append(Fmt.xml(dataValue)).append("\">\n");
  }

  void endGroup() {
    body.append("</g>\n");
  }

  /** anchor: start, middle or end. */
  void text(double x, double y, String text, int size, String anchor, String fill, boolean bold) {
    body.append("<text x=\"").append(n(x)).append("\" y=\"").append(n(y)).append("\" ")
        .append(FONT).append(" font-size=\"").append(size).append("\" text-anchor=\"")
        .append(anchor).append("\" fill=\"").append(fill).append('"')
        .append(bold ? " font-weight=\"bold\"" : "").append('>').append(Fmt.xml(text))
        .append("</text>\n");
  }

  void polygon(String fill, String title, double... xy) {
    StringBuilder points = new StringBuilder();
    for (int i = 0; i < xy.length; i += 2) {
      points.append(i == 0 ? "" : " ").append(n(xy[i])).append(',').append(n(xy[i + 1]));
    }
    body.append("<polygon points=\"").append(points).append("\" fill=\"").append(fill).append('"');
    closeWithTitle("polygon", title);
  }

  /** A hover tooltip: the full text that a short label inside a narrow bar had to leave out. */
  private void closeWithTitle(String element, String title) {
    if (title == null || title.isEmpty()) {
      body.append("/>\n");
    } else {
      body.append("><title>").append(Fmt.xml(title)).append("</title></").append(element)
          .append(">\n");
    }
  }

  String document(double width, double height) {
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        + "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + n(width) + "\" height=\""
        + n(height) + "\" viewBox=\"0 0 " + n(width) + " " + n(height) + "\">\n"
        + "<rect x=\"0\" y=\"0\" width=\"" + n(width) + "\" height=\"" + n(height)
        + "\" fill=\"white\"/>\n" + body + "</svg>\n";
  }

  /** Text that fits {@code width} pixels, cut with an ellipsis; empty when not even 3 chars fit. */
  static String fit(String text, double width) {
    int chars = (int) Math.floor(width / CHAR_WIDTH);
    if (text.length() <= chars) {
      return text;
    }
    return chars < 4 ? "" : text.substring(0, chars - 1) + "…";
  }

  private static String n(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }
}
