package io.baton.chaos;

import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;

/**
 * Awaitility-style polling for the suite's main code (Awaitility itself is a test dependency):
 * check a condition against a child process's HTTP API until it holds or a deadline passes. The
 * processes under test offer nothing to wait on, so polling is the honest way.
 */
final class Poll {
  private Poll() {}

  /** True once {@code condition} held, false when {@code timeout} passed first. */
  static boolean until(Duration timeout, Duration every, BooleanSupplier condition) {
    Instant deadline = Instant.now().plus(timeout);
    while (true) {
      if (condition.getAsBoolean()) {
        return true;
      }
      if (!Instant.now().isBefore(deadline)) {
        return false;
      }
      pause(every.toMillis());
    }
  }

  /** A poll interval or a client's retry back-off; never a stand-in for waiting on a condition. */
  static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
