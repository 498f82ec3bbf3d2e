package io.baton.http.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The console's static files as a browser gets them: the right content types (a module script
 * served as anything but JavaScript does not run), no caching, a CSP that allows no inline script,
 * and uPlot from its WebJar.
 */
class ConsoleRoutesTest extends AllDirectives {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static ActorSystem<Void> system;
  private static ServerBinding binding;

  @BeforeAll
  static void start() throws Exception {
    system = ActorSystem.create(Behaviors.empty(), "console",
        ConfigFactory.parseString("pekko.actor.provider = local").withFallback(ConfigFactory.load()));
    ConsoleRoutesTest d = new ConsoleRoutesTest();
    ConsoleRoutes console = new ConsoleRoutes();
    binding = Http.get(system).newServerAt("127.0.0.1", 0)
        .bind(d.pathPrefix("console", console::routes))
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() {
    system.terminate();
  }

  static HttpResponse<String> get(String path) throws Exception {
    URI uri = URI.create("http://127.0.0.1:" + binding.localAddress().getPort() + path);
    return HTTP.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
  }

  static String type(HttpResponse<String> r) {
    return r.headers().firstValue("Content-Type").orElse("");
  }

  @Test
  void thePageIsServedWithAndWithoutTheTrailingSlashWithNoCacheAndAStrictPolicy() throws Exception {
    for (String path : new String[] {"/console", "/console/", "/console/index.html"}) {
      HttpResponse<String> r = get(path);
      assertEquals(200, r.statusCode(), path);
      assertTrue(type(r).startsWith("text/html"), path + ": " + type(r));
      assertTrue(r.body().contains("Admin token needed"), path);
      assertEquals("no-cache", r.headers().firstValue("Cache-Control").orElse(""), path);
      assertEquals(ConsoleRoutes.CSP, r.headers().firstValue("Content-Security-Policy").orElse(""), path);
    }
  }

  @Test
  void everyScriptThePageLoadsIsAFileServedAsJavaScript() throws Exception {
    String page = get("/console").body();
    Matcher scripts = Pattern.compile("<script([^>]*)>").matcher(page);
    int count = 0;
    while (scripts.find()) {
      Matcher src = Pattern.compile("src=\"([^\"]+)\"").matcher(scripts.group(1));
      assertTrue(src.find(), "inline scripts are refused by the CSP: " + scripts.group());
      HttpResponse<String> r = get(src.group(1));
      assertEquals(200, r.statusCode(), src.group(1));
      assertTrue(type(r).startsWith("application/javascript") || type(r).startsWith("text/javascript"),
          src.group(1) + ": " + type(r));
      count++;
    }
    assertEquals(2, count, "uPlot and the app's module");
    assertTrue(type(get("/console/console.css")).startsWith("text/css"));
    assertTrue(type(get("/console/js/feed.js")).startsWith("application/javascript"));
  }

  @Test
  void uPlotComesFromItsWebJar() throws Exception {
    HttpResponse<String> js = get("/console/webjars/uplot/uPlot.iife.min.js");
    assertEquals(200, js.statusCode());
    assertTrue(js.body().contains("uPlot"), "the library itself");
    HttpResponse<String> css = get("/console/webjars/uplot/uPlot.min.css");
    assertEquals(200, css.statusCode());
    assertTrue(type(css).startsWith("text/css"), type(css));
    assertEquals("1.6.30", ConsoleRoutes.uplotVersion(), "the WebJar's own pom.properties");
  }

  @Test
  void nothingOutsideTheConsoleFolderIsServed() throws Exception {
    assertFalse(get("/console/../reference.conf").statusCode() == 200);
    assertFalse(get("/console/%2e%2e/reference.conf").statusCode() == 200);
    assertFalse(get("/console/no-such-file.js").statusCode() == 200);
    assertFalse(get("/console/webjars/uplot/../../../../../reference.conf").statusCode() == 200);
  }
}
