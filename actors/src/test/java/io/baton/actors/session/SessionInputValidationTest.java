package io.baton.actors.session;

import static io.baton.actors.Rejection.Reason.INVALID_ARGUMENT;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

/** Commands with missing or malformed fields are refused before anything reaches the journal. */
class SessionInputValidationTest extends SessionTestBase {

  @Test
  void placeWithoutMethodIsRefused() {
    submitted();
    rejects(INVALID_ARGUMENT, place(1, "gpu-a", null));
  }

  @Test
  void failedAttemptNeedsACause() {
    placed();
    rejects(INVALID_ARGUMENT, failAttempt(1, null));
    rejects(INVALID_ARGUMENT, failAttempt(1, new FailureCause(null, null, null, "no kind")));
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {"  "})
  void endingsNeedAReason(String blank) {
    generating(3);
    rejects(INVALID_ARGUMENT, complete(1, blank));
    rejects(INVALID_ARGUMENT, fail(blank));
    rejects(INVALID_ARGUMENT, cancel(blank));
  }

  @Test
  void checkpointRefusesNonPositiveRangesAndBlankHashes() {
    generating(40);
    rejects(INVALID_ARGUMENT, checkpoint(1, -16, "h1"));
    rejects(INVALID_ARGUMENT, checkpoint(1, 0));
    rejects(INVALID_ARGUMENT, checkpoint(1, 16, " "));
  }
}
