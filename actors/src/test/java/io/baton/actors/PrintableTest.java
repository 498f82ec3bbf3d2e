package io.baton.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** User text cannot forge a log line: line breaks and controls are escaped, and long text is cut. */
class PrintableTest {
  @Test
  void lineBreaksAndControlsAreEscaped() {
    assertEquals("bad\\nlevel=ERROR forged\\r\\u0007", Printable.of("bad\nlevel=ERROR forged\r\u0007"));
    assertEquals("a\\u2028b\\u202ec", Printable.of("a\u2028b\u202ec"));
    assertEquals("plain text, ünïcode", Printable.of("plain text, ünïcode"));
  }

  @Test
  void longTextIsCut() {
    String out = Printable.of("x".repeat(5000));
    assertTrue(out.startsWith("x".repeat(Printable.MAX_CHARS)), out);
    assertTrue(out.endsWith("...(5000 chars)"), out);
  }
}
