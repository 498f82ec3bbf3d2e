package io.baton.workers.engine;

import static io.baton.workers.engine.Models.SAMPLED;
import static io.baton.workers.engine.Models.SMALL;
import static io.baton.workers.engine.Models.generate;
import static io.baton.workers.engine.Models.prompt;
import static io.baton.workers.engine.Models.run;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FaultHooksTest {
  private final List<Integer> prompt = prompt(10, 1);
  private final List<Integer> reference = run(SMALL, prompt, SAMPLED, 10);
  private final ExecutorService executor = Executors.newSingleThreadExecutor();

  @AfterEach
  void stop() {
    executor.shutdownNow();
  }

  @Test
  void xidIsRaisedAtTheChosenStepAndStaysUntilReset() {
    ReferenceEngine engine = ReferenceEngine.of(SMALL, 16);
    FaultHooks faults = engine.faults().orElseThrow();
    Generation g = engine.start(GenerationRequest.fresh(prompt, SAMPLED));
    faults.inject(new Fault.Xid(79, 3));
    assertEquals(reference.subList(0, 2), generate(g, 2));
    XidException xid = assertThrows(XidException.class, g::step);
    assertEquals(79, xid.code());
    assertEquals(Optional.of(79), faults.failedXid());
    assertEquals(79, assertThrows(XidException.class, g::step).code());
    assertThrows(
        XidException.class, () -> engine.start(GenerationRequest.fresh(prompt, SAMPLED)));

    faults.clear();
    // The failed step produced nothing, so the generation continues where it stopped.
    assertEquals(reference.subList(2, 10), generate(g, 8));
  }

  @Test
  void slowdownMultipliesSimulatedTime() {
    GpuTiming timing = new GpuTiming(Duration.ofMillis(1), Duration.ofMillis(10));
    ReferenceEngine engine = new ReferenceEngine(SMALL, timing, new BlockCache(0));
    Generation g = engine.start(GenerationRequest.fresh(prompt, SAMPLED));
    assertEquals(Duration.ofMillis(10), g.prefill().simulated());
    assertEquals(Duration.ofMillis(10), g.step().simulated());

    engine.faults().orElseThrow().inject(new Fault.Slowdown(3));
    assertEquals(Duration.ofMillis(30), g.step().simulated());
    assertEquals(
        Duration.ofMillis(30),
        engine.start(GenerationRequest.fresh(prompt, SAMPLED)).prefill().simulated());
    engine.faults().orElseThrow().clear();
    assertEquals(Duration.ofMillis(10), g.step().simulated());

    // A slowdown of 1.0 is how POST /admin/chaos/workers/{id}/slow clears one.
    engine.faults().orElseThrow().inject(new Fault.Slowdown(3));
    engine.faults().orElseThrow().inject(new Fault.Slowdown(1.0));
    assertEquals(Duration.ofMillis(10), g.step().simulated());
  }

  @Test
  void hangBlocksTheStepUntilReleased() throws Exception {
    ReferenceEngine engine = ReferenceEngine.of(SMALL, 16);
    FaultHooks faults = engine.faults().orElseThrow();
    Generation g = engine.start(GenerationRequest.fresh(prompt, SAMPLED));
    faults.inject(new Fault.Hang(2));
    assertEquals(reference.get(0), g.next());

    CompletableFuture<Integer> hung = CompletableFuture.supplyAsync(g::next, executor);
    await().atMost(Duration.ofSeconds(5)).until(() -> faults.blockedSteps() == 1);
    assertFalse(hung.isDone());

    faults.releaseHang();
    assertEquals(reference.get(1), hung.get(5, TimeUnit.SECONDS));
    assertEquals(0, faults.blockedSteps());
    assertEquals(reference.subList(2, 10), generate(g, 8));
  }

  @Test
  void faultStepsMustBePositive() {
    assertThrows(IllegalArgumentException.class, () -> new Fault.Xid(79, 0));
    assertThrows(IllegalArgumentException.class, () -> new Fault.Slowdown(0));
  }
}
