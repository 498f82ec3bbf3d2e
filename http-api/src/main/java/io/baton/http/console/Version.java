package io.baton.http.console;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** The version Maven built, from the filtered resource the distribution carries. */
public final class Version {
  private Version() {}

  public static String of() {
    Properties p = new Properties();
    try (InputStream in = Version.class.getResourceAsStream("/baton-version.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return p.getProperty("version", "unknown");
  }
}
