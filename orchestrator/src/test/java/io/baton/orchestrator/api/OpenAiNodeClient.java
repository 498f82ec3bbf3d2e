package io.baton.orchestrator.api;

import io.baton.persistence.testing.TestRequirements;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The official OpenAI Node client, fetched by the test itself: {@code npm install openai@VERSION}
 * into {@code target/}, once (a rerun finds it there), next to copies of the scripts under
 * {@code openai-client/} ({@link #SCRIPTS}). Without Node.js 20+ and npm the test is skipped, and
 * fails under CI ({@link TestRequirements#assumeNode}); without the npm registry it fails and says why.
 */
final class OpenAiNodeClient {
  /** Pinned: the 6.x line runs on node 20 (7.x needs node 22) and has no dependencies of its own. */
  static final String VERSION = "6.49.0";
  private static final long INSTALL_TIMEOUT_S = 240;
  /** The scripts that drive the client: chat, completions and batches; the Responses API. */
  static final List<String> SCRIPTS = List.of("client.mjs", "responses.mjs");

  private final Path dir;

  private OpenAiNodeClient(Path dir) {
    this.dir = dir;
  }

  /** Installs the client under {@code target/openai-client-VERSION} unless it is already there. */
  static OpenAiNodeClient install() throws Exception {
    TestRequirements.assumeNode();
    Path dir = Path.of("target", "openai-client-" + VERSION).toAbsolutePath();
    Files.createDirectories(dir);
    Path packageJson = dir.resolve("node_modules/openai/package.json");
    if (!Files.exists(packageJson) || !Files.readString(packageJson).contains("\"version\": \"" + VERSION + "\"")) {
      Result npm = run(dir, List.of("npm", "install", "--no-audit", "--no-fund", "--prefix", dir.toString(),
          "openai@" + VERSION), Map.of(), INSTALL_TIMEOUT_S);
      if (npm.exit != 0 || !Files.exists(packageJson)) {
        throw new AssertionError("could not install the official OpenAI client (npm install openai@" + VERSION
            + " exited " + npm.exit + "); this test needs node, npm and the npm registry (registry.npmjs.org):\n"
            + npm.output);
      }
    }
    for (String name : SCRIPTS) {
      try (InputStream script = OpenAiNodeClient.class.getResourceAsStream("/openai-client/" + name)) {
        if (script == null) {
          throw new AssertionError("the test resource openai-client/" + name + " is missing");
        }
        Files.copy(script, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
      }
    }
    return new OpenAiNodeClient(dir);
  }

  /** Runs client.mjs against {@code baseUrl} with the given request bodies; its stdout, or an AssertionError. */
  String run(String baseUrl, List<String> requests, long timeoutSeconds) throws Exception {
    return run("client.mjs", baseUrl, requests, timeoutSeconds);
  }

  /**
   * Runs {@code script} (one of {@link #SCRIPTS}) against {@code baseUrl} with the given JSON
   * arguments; the last JSON line it printed, or an AssertionError.
   */
  String run(String script, String baseUrl, List<String> args, long timeoutSeconds) throws Exception {
    if (!SCRIPTS.contains(script)) {
      throw new IllegalArgumentException("no client script " + script + "; there are " + SCRIPTS);
    }
    List<String> command = new ArrayList<>(List.of("node", dir.resolve(script).toString()));
    command.addAll(args);
    Result r = run(dir, command, Map.of("OPENAI_BASE_URL", baseUrl, "OPENAI_API_KEY", "sk-unused-in-dev"),
        timeoutSeconds);
    if (r.exit != 0) {
      throw new AssertionError("the OpenAI client script " + script + " exited " + r.exit + ":\n" + r.output);
    }
    return r.output.lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b).orElseThrow(() ->
        new AssertionError("the OpenAI client script " + script + " printed no JSON:\n" + r.output));
  }

  private record Result(int exit, String output) {}

  private static Result run(Path dir, List<String> command, Map<String, String> env, long timeoutSeconds)
      throws Exception {
    ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
    builder.environment().putAll(env);
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new AssertionError("cannot run " + command.get(0) + " (is Node.js 20+ with npm on the PATH?): " + e, e);
    }
    StringBuilder output = new StringBuilder();
    Thread reader = new Thread(() -> {
      try (InputStream in = process.getInputStream()) {
        output.append(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      } catch (IOException ignored) {
        // The process was killed; what was read so far is in the message.
      }
    });
    reader.start();
    if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      reader.join(5000);
      throw new AssertionError(String.join(" ", command.subList(0, 2)) + " did not finish within " + timeoutSeconds
          + " s:\n" + output);
    }
    reader.join(5000);
    return new Result(process.exitValue(), output.toString());
  }
}
