package io.baton.workers.engine.remote;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/** Resets an engine server's GPU: the configured command, then the engine answering again. */
final class EngineReset {
  private static final Duration PROBE = Duration.ofSeconds(1);

  private EngineReset() {}

  static void run(RemoteEngineSettings settings, String engine, Function<Duration, CompletionStage<Boolean>> healthy) {
    long deadline = System.nanoTime() + settings.resetTimeout().toNanos();
    if (settings.resetCommand() != null && !settings.resetCommand().isBlank()) {
      command(settings.resetCommand().replace("{url}", settings.baseUrl())
          .replace("{index}", String.valueOf(settings.gpuIndex())), engine, settings.resetTimeout());
    }
    while (System.nanoTime() < deadline) {
      if (Boolean.TRUE.equals(healthy.apply(PROBE).toCompletableFuture().join())) {
        return;
      }
      try {
        Thread.sleep(PROBE.toMillis() / 4); // between probes of a server that is still starting
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(engine + ": reset interrupted", e);
      }
    }
    throw new IllegalStateException(engine + " did not answer its health route within "
        + settings.resetTimeout().toSeconds() + " s of its reset");
  }

  private static void command(String command, String engine, Duration timeout) {
    try {
      Process process = new ProcessBuilder("/bin/sh", "-c", command).redirectErrorStream(true).start();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException(engine + ": reset command timed out after " + timeout.toSeconds() + " s: "
            + command);
      }
      if (process.exitValue() != 0) {
        String output = new String(process.getInputStream().readNBytes(2000), StandardCharsets.UTF_8).strip();
        throw new IllegalStateException(engine + ": reset command exited with " + process.exitValue() + ": " + command
            + (output.isEmpty() ? "" : " (" + output + ")"));
      }
    } catch (IOException e) {
      throw new IllegalStateException(engine + ": reset command could not run: " + command + " (" + e + ")", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(engine + ": reset interrupted", e);
    }
  }
}
