package io.baton.http.console;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Properties;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The operator console's static files, below {@code /console}: {@code index.html}, its CSS and JS
 * (classpath {@code console/}), and uPlot from its WebJar at {@code /console/webjars/uplot/...}.
 *
 * <p>Mounted outside the admin token: a browser cannot send a bearer header when it navigates, and
 * these files hold no data. The page asks for the token and sends it on every JSON request itself.
 * The Content-Security-Policy allows scripts from this origin only, so an injected string shown on
 * the page (a GPU's reason, a session's text) can never run as script.
 */
public final class ConsoleRoutes extends AllDirectives {
  /** The classpath folder of the console's own files. */
  static final String ROOT = "console";
  /** uPlot's version when its WebJar carries no pom.properties (it always has so far). */
  static final String UPLOT_FALLBACK = "1.6.30";
  static final String CSP = "default-src 'self'; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'";

  private final String uplotDir;

  public ConsoleRoutes() {
    // The WebJar's folder names its version; read it so a version bump in the pom needs no edit here.
    this.uplotDir = "META-INF/resources/webjars/uplot/" + uplotVersion() + "/dist";
  }

  /** The routes below {@code /console} (the caller has matched that prefix). */
  public Route routes() {
    return get(() -> respondWithHeaders(headers(), () -> concat(
        pathEnd(this::index),
        pathSingleSlash(this::index),
        pathPrefix("webjars", () -> pathPrefix("uplot", () -> getFromResourceDirectory(uplotDir))),
        getFromResourceDirectory(ROOT))));
  }

  private Route index() {
    return getFromResource(ROOT + "/index.html");
  }

  /**
   * No caching: a node upgrade must not leave an old app.js next to a new index.html. The files
   * are small and served from memory, so revalidating each time costs nothing worth saving.
   */
  static List<HttpHeader> headers() {
    return List.of(
        RawHeader.create("Cache-Control", "no-cache"),
        RawHeader.create("Content-Security-Policy", CSP),
        RawHeader.create("X-Content-Type-Options", "nosniff"),
        RawHeader.create("Referrer-Policy", "no-referrer"));
  }

  static String uplotVersion() {
    try (InputStream in = ConsoleRoutes.class.getClassLoader()
        .getResourceAsStream("META-INF/maven/org.webjars.npm/uplot/pom.properties")) {
      if (in == null) {
        return UPLOT_FALLBACK;
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version", UPLOT_FALLBACK);
    } catch (IOException e) {
      return UPLOT_FALLBACK;
    }
  }
}
