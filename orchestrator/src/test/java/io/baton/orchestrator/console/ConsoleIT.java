package io.baton.orchestrator.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.baton.orchestrator.BatonNode;
import io.baton.orchestrator.TestNodes;
import io.baton.persistence.testing.CassandraTestExtension;
import io.baton.persistence.testing.TestRequirements;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * The operator console in a real headless Chromium against a whole node (2 hosts × 2 simulated
 * GPUs, one of them spare, chaos on): what an operator sees and does, through the page's own
 * buttons. The tests share the node and the browser and run in order: the XID one leaves a host
 * cordoned and a session migrated, which the later ones read. Each view is saved as a screenshot
 * under target/console-screenshots for a person to look at.
 */
@ExtendWith(CassandraTestExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleIT {
  static final String TOKEN = "console-admin-token";
  static final Duration TIMEOUT = Duration.ofSeconds(60);
  /** How soon an XID injected through the page must show on its GPU's row. */
  static final Duration XID_SHOWN = Duration.ofSeconds(2);

  static BatonNode node;
  static Browser browser;
  static NodeClient api;
  /** The session the XID test moved, for the session page test. */
  static String movedSession;
  static String failedGpu;

  /**
   * Per test, not once per class, so that a machine without Chromium reports each test as skipped
   * (surefire does not count a class whose @BeforeAll aborted); the node starts with the first.
   */
  @BeforeEach
  void setUp() throws Exception {
    TestRequirements.assumeChromium();
    if (node != null) {
      return;
    }
    node = TestNodes.start(TestNodes.nodeId("console"), Map.of(
        "baton.http.admin-token", TOKEN,
        "baton.http.chaos", "on",
        "baton.orchestrator.simulated-fleet.hosts", 2,
        "baton.orchestrator.simulated-fleet.gpus-per-host", 2,
        "baton.orchestrator.simulated-fleet.spares", 1,
        // Slow enough that a stream is still running when the test injects its XID.
        "baton.workers.engine.timing.decode-per-token", "40ms",
        "baton.workers.engine.timing.prefill-per-token", "20us"));
    api = new NodeClient(node.httpAddress(), TOKEN);
    browser = Browser.open(node.httpAddress());
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.close();
    }
    if (node != null) {
      node.close();
    }
  }

  @Test
  @Order(1)
  void theConsoleLoadsWithoutErrorsAndShowsFourGpusWithTheirStates() throws Exception {
    browser.signIn(TOKEN);
    Map<String, JsonNode> rows = api.workers();
    assertEquals(4, rows.size(), rows.toString());
    browser.waitFor(TIMEOUT, "four GPU rows with the states /admin/workers gives",
        () -> rows.entrySet().stream().allMatch(e -> e.getValue().get("state").asText().equals(browser.state(e.getKey()))));
    Map<String, Long> states = rows.keySet().stream().collect(Collectors.groupingBy(browser::state, Collectors.counting()));
    assertEquals(Map.of("active", 3L, "spare", 1L), states);
    for (String gpu : rows.keySet()) {
      WebElement badge = browser.row(gpu).findElement(By.cssSelector(".state"));
      assertEquals(badge.getDomAttribute("data-state"), badge.getText().trim(), "the state is written, not only coloured");
    }
    browser.waitFor(TIMEOUT, "the pool above the table", () -> !browser.all(".pool[data-model]").isEmpty());
    browser.waitFor(TIMEOUT, "the live feed", () -> browser.text("#feed-status").contains("live"));
    browser.screenshot("fleet");
    browser.assertNoConsoleErrors();
  }

  @Test
  @Order(2)
  void aCordonWithAReasonShowsTheReasonAndWhoThenUncordonRestoresIt() throws Exception {
    String spare = api.workers().values().stream().filter(r -> r.get("state").asText().equals("spare"))
        .findFirst().orElseThrow().get("id").asText();
    browser.action(spare, "cordon");
    browser.fill(".action-row .reason-input", "fan failure on the card");
    browser.fill(".action-row .by-input", "alice");
    browser.submitAction();
    browser.waitFor(TIMEOUT, "the cordon on the row", () -> browser.state(spare).equals("cordoned")
        && browser.cell(spare, "reason").equals("fan failure on the card") && browser.cell(spare, "by").equals("alice"));
    assertEquals("cordoned", api.workers().get(spare).get("state").asText());

    browser.action(spare, "uncordon");
    browser.submitAction(); // no reason: refused in the page, nothing sent
    browser.waitFor(TIMEOUT, "the page asks for a reason", () -> browser.text(".action-row .form-error").contains("reason"));
    browser.fill(".action-row .reason-input", "fan replaced");
    browser.submitAction();
    browser.waitFor(TIMEOUT, "the uncordon on the row", () -> browser.state(spare).equals("spare")
        && browser.cell(spare, "reason").equals("fan replaced") && browser.cell(spare, "by").equals("alice"));
    assertEquals("spare", api.workers().get(spare).get("state").asText());
  }

  @Test
  @Order(3)
  void anXidInjectedThroughTheConsoleShowsWithinTwoSecondsAndItsSessionMovesWithAnArrow() throws Exception {
    NodeClient.Stream stream = api.stream(1000);
    movedSession = stream.session();
    failedGpu = api.await(TIMEOUT, "the stream's first tokens", () -> {
      JsonNode s = api.session(movedSession);
      return s.get("tokens").asInt() >= 5 ? s.at("/attempts/0/worker").asText(null) : null;
    });

    browser.action(failedGpu, "xid");
    new Select(browser.one(".action-row select.xid-code")).selectByValue("79");
    long clicked = System.nanoTime();
    browser.submitAction();
    browser.waitFor(XID_SHOWN, "the GPU's row shows the XID and its new state", () -> browser.state(failedGpu)
        .equals("cordoned") && browser.cell(failedGpu, "xid").contains("79") && browser.cell(failedGpu, "xid").contains("node-fatal"));
    long shownMs = (System.nanoTime() - clicked) / 1_000_000;
    assertTrue(shownMs <= XID_SHOWN.toMillis(), "shown after " + shownMs + " ms");

    String newGpu = api.await(TIMEOUT, "the session placed again on another GPU", () -> {
      JsonNode attempts = api.session(movedSession).get("attempts");
      return attempts.size() >= 2 ? attempts.get(1).get("worker").asText() : null;
    });
    assertNotEquals(failedGpu, newGpu);
    // The fleet after a host-wide XID: both GPUs of the host out, with why; the spare promoted.
    browser.waitFor(TIMEOUT, "the spare promoted", () -> browser.all("tr[data-gpu] .state[data-state='active']").size() == 2
        && !browser.state(failedGpu).equals("active"));
    browser.screenshot("fleet-after-xid");
    browser.go("#/failures");
    WebElement arrow = browser.waitForElement(TIMEOUT, "path.migration[data-session='" + movedSession + "']");
    assertEquals(failedGpu, arrow.getDomAttribute("data-from"));
    assertEquals(newGpu, arrow.getDomAttribute("data-to"));
    browser.waitFor(TIMEOUT, "its time to recover in the list", () -> browser.all("tr.recovery[data-session='"
        + movedSession + "']").stream().anyMatch(r -> r.getText().contains(" ms")));
    // The shortest window, so that the picture shows the minute this test made.
    new Select(browser.one("#failures-window")).selectByValue("1");
    browser.waitForElement(TIMEOUT, "path.migration[data-session='" + movedSession + "']");
    browser.screenshot("failures");
    stream.close();
  }

  @Test
  @Order(4)
  void theSessionsPageShowsBothAttemptsWithTheirMethods() throws Exception {
    browser.go("#/sessions");
    WebElement link = browser.waitForElement(TIMEOUT, "tr[data-session='" + movedSession + "'] a.session-link");
    browser.screenshot("sessions");
    link.sendKeys(Keys.ENTER); // a real link: the keyboard opens it too
    // Two at least: the placer puts a host-wide XID's other GPUs last, but one it has no other room
    // for may still be tried, refused, and the session moves once more.
    int placed = api.session(movedSession).get("attempts").size();
    assertTrue(placed >= 2, "attempts: " + placed);
    browser.waitFor(TIMEOUT, "every attempt", () -> browser.all(".attempt[data-method]").size() == placed);
    List<WebElement> attempts = browser.all(".attempt[data-method]");
    assertEquals("FRESH", attempts.get(0).getDomAttribute("data-method"));
    assertEquals(failedGpu, attempts.get(0).getDomAttribute("data-gpu"));
    assertTrue(attempts.get(0).getText().contains("XID 79"), attempts.get(0).getText());
    for (WebElement resumed : attempts.subList(1, placed)) {
      assertTrue(Set.of("KV_RESTORE", "RECOMPUTE").contains(resumed.getDomAttribute("data-method")),
          resumed.getDomAttribute("data-method"));
      assertTrue(resumed.getText().contains(resumed.getDomAttribute("data-method")), "the method is written");
    }
    browser.waitFor(TIMEOUT, "its text so far", () -> !browser.text(".session-text").isBlank());
    browser.screenshot("session");
  }

  @Test
  @Order(5)
  void theClusterAndThroughputViewsShowTheNode() throws Exception {
    browser.go("#/cluster");
    browser.waitFor(TIMEOUT, "this node among the members", () -> browser.all("table.members tbody tr").size() == 1
        && browser.text(".members").contains("this node"));
    browser.screenshot("cluster");
    browser.go("#/throughput");
    browser.waitFor(TIMEOUT, "four charts", () -> browser.all(".chart .uplot").size() == 4);
    browser.screenshot("throughput");
    browser.assertNoConsoleErrors();
  }

  @Test
  @Order(6)
  void withoutTheTokenNothingIsShownOrFetchedAndTheAdminApiAnswers401() throws Exception {
    browser.one("#logout").click();
    browser.waitFor(TIMEOUT, "the token form", () -> browser.one("#login").isDisplayed());
    assertTrue(browser.text("#login").contains("Admin token needed"));
    assertTrue(browser.all("[data-gpu]").isEmpty(), "no GPU left on the page");
    assertEquals(null, browser.script("return sessionStorage.getItem('baton.adminToken')"));

    browser.reload();
    browser.waitFor(TIMEOUT, "the token form", () -> browser.one("#login").isDisplayed());
    assertEquals(0L, browser.script("return performance.getEntriesByType('resource')"
        + ".filter(e => e.name.includes('/admin/')).length"), "nothing fetched without the token");
    assertTrue(!browser.one("#app").isDisplayed() && !browser.one("#tabs").isDisplayed());

    HttpResponse<String> refused = api.getWithout("/admin/workers");
    assertEquals(401, refused.statusCode(), refused.body());

    browser.signIn("not-the-token");
    browser.waitFor(TIMEOUT, "the refusal", () -> browser.one("#login").isDisplayed()
        && browser.text("#login-message").contains("the token was refused"));
    assertTrue(browser.all("[data-gpu]").isEmpty());
  }
}
