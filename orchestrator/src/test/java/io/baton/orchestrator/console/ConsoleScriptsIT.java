package io.baton.orchestrator.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import io.baton.http.console.ConsoleRoutes;
import io.baton.persistence.testing.TestRequirements;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.server.Directives;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The console's scripts in the browser, on made-up input, against the static files alone (no node,
 * no Cassandra): SSE frames split anywhere across chunks, snake_case event fields read as
 * camelCase, and a failure paired with the session's next placement.
 */
class ConsoleScriptsIT {
  static ActorSystem<Void> system;
  static Browser browser;

  @BeforeEach
  void setUp() throws Exception {
    TestRequirements.assumeChromium();
    if (browser != null) {
      return;
    }
    system = ActorSystem.create(Behaviors.empty(), "console-scripts",
        ConfigFactory.parseString("pekko.actor.provider = local").withFallback(ConfigFactory.load()));
    ConsoleRoutes console = new ConsoleRoutes();
    ServerBinding binding = Http.get(system).newServerAt("127.0.0.1", 0)
        .bind(Directives.pathPrefix("console", console::routes)).toCompletableFuture().get(10, TimeUnit.SECONDS);
    browser = Browser.open("http://127.0.0.1:" + binding.localAddress().getPort());
    browser.load();
    browser.waitFor(Duration.ofSeconds(30), "the token form", () -> browser.one("#login").isDisplayed());
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.close();
    }
    if (system != null) {
      system.terminate();
    }
  }

  @Test
  void withoutATokenThePageAsksForItAndLoadsWithoutErrors() {
    assertTrue(browser.text("#login").contains("Admin token needed"));
    browser.assertNoConsoleErrors();
  }

  @Test
  void sseFramesAreParsedWhereverTheChunksSplitThem() throws Exception {
    String frames = browser.module("const m = await import('/console/js/sse.js');"
        + "const frames = [], comments = [];"
        + "const p = new m.SseParser(f => frames.push(f), c => comments.push(c));"
        + "for (const chunk of ['id: 1\\nevent: gpu.st', 'ate\\nda', 'ta: {\"a\":1}\\r', '\\n\\r\\n:hb\\n\\n',"
        + "  'data: x\\ndata: y\\n\\nid: 3\\n\\n']) p.push(chunk);"
        + "return {frames, comments};");
    JsonNode parsed = NodeClient.JSON.readTree(frames);
    assertEquals(2, parsed.get("frames").size(), frames);
    assertEquals("1", parsed.at("/frames/0/id").asText());
    assertEquals("gpu.state", parsed.at("/frames/0/event").asText());
    assertEquals("{\"a\":1}", parsed.at("/frames/0/data").asText());
    assertEquals("x\ny", parsed.at("/frames/1/data").asText(), "data lines join with a newline");
    assertEquals("hb", parsed.at("/comments/0").asText(), "a ':' line is a heartbeat, not an event");
  }

  @Test
  void aFailureIsPairedWithTheSessionsNextPlacement() throws Exception {
    String pairs = browser.module("const f = await import('/console/js/feed.js');"
        + "const t = await import('/console/js/timeline.js');"
        + "const ev = (o) => f.camelAliases(o);"
        + "const events = ["
        + "  ev({type: 'attempt.placed', session: 's', attempt: 1, gpu: 'A', method: 'fresh', resume_from: 0,"
        + "    at: '2030-01-01T00:00:00Z'}),"
        + "  ev({type: 'attempt.failed', session: 's', attempt: 1, gpu: 'A', cause: 'xid', xid_class: 'node-fatal',"
        + "    tokens: 9, at: '2030-01-01T00:00:01.000000001Z'}),"
        + "  ev({type: 'attempt.placed', session: 's', attempt: 2, gpu: 'B', method: 'kv_restore', resume_from: 9,"
        + "    at: '2030-01-01T00:00:01.250Z'}),"
        + "  ev({type: 'attempt.failed', session: 'u', attempt: 1, gpu: 'B', cause: 'lease_expired', tokens: 0,"
        + "    at: '2030-01-01T00:00:02Z'})];"
        + "return {r: t.recoveries(events, 0), xidClass: events[1].xidClass, resumeFrom: events[2].resumeFrom};");
    JsonNode p = NodeClient.JSON.readTree(pairs);
    assertEquals("node-fatal", p.get("xidClass").asText(), pairs);
    assertEquals(9, p.get("resumeFrom").asInt());
    assertEquals(2, p.get("r").size(), pairs);
    assertTrue(p.at("/r/0/moved").asBoolean());
    assertEquals(250, p.at("/r/0/millis").asInt(), "failure to next placement, nanoseconds and all");
    assertEquals("B", p.at("/r/0/placed/gpu").asText());
    assertTrue(p.at("/r/1/placed").isNull() && !p.at("/r/1/moved").asBoolean(), "not placed again yet");
  }

  @Test
  void aGpusStateOverTheWindowStartsFromWhatItWasBeforeIt() throws Exception {
    String segs = browser.module("const t = await import('/console/js/timeline.js');"
        + "const at = (s) => new Date(Date.UTC(2030, 0, 1, 0, 0, s)).toISOString();"
        + "const events = ["
        + "  {type: 'gpu.state', gpu: 'A', from: 'spare', to: 'cordoned', at: at(5)},"
        + "  {type: 'gpu.state', gpu: 'A', from: 'cordoned', to: 'spare', at: at(20)},"
        + "  {type: 'gpu.promoted', gpu: 'A', at: at(30)}];"
        + "const workers = new Map([['A', {state: 'active'}], ['B', {state: 'spare'}]]);"
        + "const s = t.segments(['A', 'B'], workers, events, Date.parse(at(10)), Date.parse(at(40)));"
        + "return {a: s.get('A').map(x => x.state), b: s.get('B').map(x => x.state)};");
    JsonNode s = NodeClient.JSON.readTree(segs);
    assertEquals("[\"cordoned\",\"spare\",\"active\"]", s.get("a").toString(), "the change before the window counts");
    assertEquals("[\"spare\"]", s.get("b").toString(), "no change: its current state throughout");
  }
}
