package io.baton.orchestrator.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.baton.actors.batch.BatchEvent;
import io.baton.actors.batch.BatchState;
import io.baton.orchestrator.batch.BatchDriver.Phase;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The completion window is enforced: a batch still validating or running when it passes expires. */
class BatchPhaseTest {
  static final Instant T0 = Instant.parse("2026-12-06T08:00:00Z");
  static final Instant WITHIN = T0.plus(Duration.ofHours(23));
  static final Instant PAST = T0.plus(Duration.ofHours(25));

  static final BatchState VALIDATING = BatchState.empty("batch_1").apply(new BatchEvent.Created("batch_1", "file-in",
      "/v1/completions", "24h", Map.of(), T0, T0.plus(Duration.ofHours(24)), "alice"));
  static final BatchState RUNNING = VALIDATING.apply(new BatchEvent.InputValidated(3, List.of(), T0));
  static final BatchState FINALIZING = RUNNING.apply(new BatchEvent.FinalizingStarted(T0));

  @Test
  void withinItsWindowABatchGoesOnAsItIs() {
    assertEquals(Phase.VALIDATE, BatchDriver.next(VALIDATING, WITHIN));
    assertEquals(Phase.RUN, BatchDriver.next(RUNNING, WITHIN));
    assertEquals(Phase.COMPLETE, BatchDriver.next(FINALIZING, WITHIN));
  }

  @Test
  void pastItsWindowAValidatingOrRunningBatchExpires() {
    assertEquals(Phase.EXPIRE, BatchDriver.next(VALIDATING, PAST));
    assertEquals(Phase.EXPIRE, BatchDriver.next(RUNNING, PAST));
    // Its lines are done: writing its files completes it rather than throwing the work away.
    assertEquals(Phase.COMPLETE, BatchDriver.next(FINALIZING, PAST));
  }
}
