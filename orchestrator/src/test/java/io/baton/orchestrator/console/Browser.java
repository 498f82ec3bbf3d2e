package io.baton.orchestrator.console;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The system's headless Chromium, driven through its chromedriver, on the console of one node.
 * Both binaries are named here, so Selenium Manager never looks for (or downloads) a browser or a
 * driver: the build reaches no network but Maven's.
 */
final class Browser implements AutoCloseable {
  static final String CHROMIUM = "/usr/bin/chromium";
  static final String CHROMEDRIVER = "/usr/bin/chromedriver";
  /** Relative to the module: failsafe runs in orchestrator/. */
  static final Path SHOTS = Path.of("target", "console-screenshots");

  /** A condition that may throw: reading the page or the node's API. */
  @FunctionalInterface
  interface Check {
    boolean met() throws Exception;
  }

  private final ChromeDriver driver;
  private final String base;

  private Browser(ChromeDriver driver, String base) {
    this.driver = driver;
    this.base = base;
  }

  static Browser open(String base) {
    System.setProperty("webdriver.chrome.driver", CHROMEDRIVER);
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM);
    // --disable-dev-shm-usage: containers often give /dev/shm 64 MB, where Chromium's tabs crash.
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,800",
        "--disable-dev-shm-usage");
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(new File(CHROMEDRIVER)).usingAnyFreePort().build();
    return new Browser(new ChromeDriver(service, options), base);
  }

  /** Opens the console and types the token into its form, as an operator does. */
  void signIn(String token) {
    driver.get(base + "/console");
    WebElement field = new WebDriverWait(driver, ConsoleIT.TIMEOUT)
        .until(ExpectedConditions.visibilityOfElementLocated(By.id("token")));
    field.sendKeys(token, Keys.ENTER);
  }

  /** The console's page, no token typed. */
  void load() {
    driver.get(base + "/console");
  }

  /** A hash route (#/failures): the page changes view without reloading. */
  void go(String hash) {
    driver.executeScript("location.hash = arguments[0]", hash);
  }

  void reload() {
    driver.navigate().refresh();
  }

  WebElement one(String css) {
    return driver.findElement(By.cssSelector(css));
  }

  List<WebElement> all(String css) {
    return driver.findElements(By.cssSelector(css));
  }

  String text(String css) {
    return one(css).getText();
  }

  Object script(String js) {
    return driver.executeScript(js);
  }

  /** Runs {@code js} as an async function body in the page; what it returns (JSON-encoded). */
  String module(String js) {
    Object result = driver.executeAsyncScript("const done = arguments[arguments.length - 1];"
        + "(async () => { " + js + " })().then(r => done(JSON.stringify(r)), e => done('failed: ' + e));");
    return String.valueOf(result);
  }

  WebElement row(String gpu) {
    return one("tr.gpu-row[data-gpu='" + gpu + "']");
  }

  /** The GPU's state as its badge says it; "" while the row is not there. */
  String state(String gpu) {
    try {
      return row(gpu).findElement(By.cssSelector(".state")).getDomAttribute("data-state");
    } catch (NoSuchElementException | StaleElementReferenceException e) {
      return "";
    }
  }

  String cell(String gpu, String cls) {
    return row(gpu).findElement(By.cssSelector("td." + cls)).getText().trim();
  }

  /** Clicks the row's action button and waits for its inline form. */
  void action(String gpu, String action) {
    row(gpu).findElement(By.cssSelector("button[data-action='" + action + "']")).click();
    waitForElement(ConsoleIT.TIMEOUT, ".action-row[data-gpu='" + gpu + "'] form[data-action='" + action + "']");
  }

  void fill(String css, String value) {
    WebElement field = one(css);
    field.clear();
    field.sendKeys(value);
  }

  void submitAction() {
    one(".action-row button[type='submit']").click();
  }

  void waitFor(Duration timeout, String what, Check check) {
    new WebDriverWait(driver, timeout, Duration.ofMillis(50)).withMessage(what)
        .ignoring(NoSuchElementException.class).ignoring(StaleElementReferenceException.class)
        .until(d -> {
          try {
            return check.met();
          } catch (RuntimeException e) {
            throw e;
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
  }

  WebElement waitForElement(Duration timeout, String css) {
    return new WebDriverWait(driver, timeout, Duration.ofMillis(50)).withMessage(css)
        .until(ExpectedConditions.presenceOfElementLocated(By.cssSelector(css)));
  }

  void screenshot(String view) throws Exception {
    Files.createDirectories(SHOTS);
    Files.write(SHOTS.resolve(view + ".png"), driver.getScreenshotAs(OutputType.BYTES));
  }

  /** No script error, failed load or refused request since the last look (reading drains the log). */
  void assertNoConsoleErrors() {
    List<LogEntry> severe = driver.manage().logs().get(LogType.BROWSER).getAll().stream()
        .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue()).toList();
    assertTrue(severe.isEmpty(), "browser console errors: " + severe);
  }

  @Override
  public void close() {
    driver.quit();
  }
}
