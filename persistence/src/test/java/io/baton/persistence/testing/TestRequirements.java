package io.baton.persistence.testing;

import com.sun.security.auth.module.UnixSystem;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a few tests need beyond a JDK and Maven: root (network namespaces), Node.js with npm (the
 * official OpenAI SDK) or a browser (Chromium and its WebDriver). Without it a test is skipped, with
 * a message naming what it needs and how to get it, so that {@code mvn -B verify} passes for a new
 * contributor. Under CI ({@code CI=true}, as {@code .ci/run} runs) a missing requirement fails the
 * test instead: CI installs all of them, and a test it skipped would prove nothing. Call them in a
 * test or {@code @BeforeEach}: surefire counts and reports a skipped test, but not a class whose
 * {@code @BeforeAll} was skipped.
 */
public final class TestRequirements {
  private static final Logger log = LoggerFactory.getLogger(TestRequirements.class);
  static final int NODE_MAJOR = 20;
  private static final long PROBE_TIMEOUT_S = 20;

  private TestRequirements() {}

  /** Root and iproute2's {@code ip netns}: building network namespaces needs both. */
  public static void assumeRoot() {
    boolean root = new UnixSystem().getUid() == 0;
    boolean netns = probe("ip", "netns", "list").isPresent();
    require(root && netns, "needs root and iproute2 (ip netns) to build network namespaces"
        + (root ? "" : "; this build runs as uid " + new UnixSystem().getUid())
        + ": run it as root (as CI does), with iproute2 installed (apt-get install iproute2)");
  }

  /** Node.js {@value #NODE_MAJOR}+ and npm on the PATH (npm fetches the pinned SDK from the npm registry). */
  public static void assumeNode() {
    Optional<String> node = probe("node", "--version");
    boolean recent = node.map(TestRequirements::nodeMajor).orElse(0) >= NODE_MAJOR;
    require(recent && probe("npm", "--version").isPresent(), "needs Node.js " + NODE_MAJOR
        + "+ and npm on the PATH (found node: " + node.map(String::strip).orElse("none") + "): apt-get install"
        + " nodejs npm on Debian 13+ (Debian 12's nodejs is 18: take Node.js 20+ from nodejs.org or NodeSource)");
  }

  /** Chromium and chromedriver on the PATH, for browser tests through WebDriver. */
  public static void assumeChromium() {
    require(probe("chromium", "--version").isPresent() && probe("chromedriver", "--version").isPresent(),
        "needs Chromium and its WebDriver (chromium and chromedriver on the PATH):"
            + " apt-get install chromium chromium-driver");
  }

  /** Whether this run is CI's, where nothing may be skipped. */
  static boolean underCi() {
    return "true".equalsIgnoreCase(System.getenv("CI"));
  }

  private static void require(boolean met, String need) {
    require(met, need, underCi());
  }

  static void require(boolean met, String need, boolean ci) {
    if (met) {
      return;
    }
    if (ci) {
      throw new AssertionError("This test " + need + ". CI=true, so it fails instead of being skipped:"
          + " .ci/run installs what it needs; check that it did.");
    }
    // Surefire keeps a skip's reason in its XML report only; the console shows this line.
    log.warn("test skipped reason=\"this test {}\"", need);
    Assumptions.abort("Skipped: this test " + need + ". CI runs it.");
  }

  /** "v20.20.2" is 20; anything unreadable is 0. */
  static int nodeMajor(String version) {
    String v = version.strip();
    int dot = v.indexOf('.');
    try {
      return Integer.parseInt(v.substring(v.startsWith("v") ? 1 : 0, dot < 0 ? v.length() : dot));
    } catch (RuntimeException e) {
      return 0;
    }
  }

  /** The command's output if it ran and exited 0 in time; empty if it is missing or failed. */
  private static Optional<String> probe(String... command) {
    try {
      Process p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
      // A version line fits the pipe's buffer, so waiting before reading cannot block the probe.
      if (!p.waitFor(PROBE_TIMEOUT_S, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return Optional.empty();
      }
      try (InputStream in = p.getInputStream()) {
        String out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        return p.exitValue() == 0 ? Optional.of(out) : Optional.empty();
      }
    } catch (IOException e) {
      return Optional.empty(); // not on the PATH
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }
}
