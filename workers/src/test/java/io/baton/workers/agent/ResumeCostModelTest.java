package io.baton.workers.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.baton.actors.session.ResumeMethod;
import io.baton.workers.engine.ModelInfo;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ResumeCostModelTest {
  // The shapes of the shipped models (reference.conf), with room for long contexts.
  private static final ModelInfo SMALL = new ModelInfo("baton-small", 256, 2, 64, 4, 8192, 16);
  private static final ModelInfo MEDIUM = new ModelInfo("baton-medium", 320, 4, 128, 8, 8192, 16);

  /**
   * Fixed costs, so the expectations below do not move when the shipped defaults are recalibrated:
   * a 5 ms store round trip, 1 ms per 64 KiB block, 100 us per baton-medium token.
   */
  private static final ResumeCostModel MODEL =
      new ResumeCostModel(ms(5), ms(1), us(100), 0.32, Duration.ZERO);

  private static Duration ms(long millis) {
    return Duration.ofMillis(millis);
  }

  private static Duration us(long micros) {
    return Duration.ofNanos(micros * 1000);
  }

  @Test
  void recomputeScalesWithLayersTimesWidthSquared() {
    ResumeCostModel noAttention = new ResumeCostModel(ms(3), ms(1), us(960), 0, Duration.ZERO);
    // baton-medium is the unit; baton-small (2 × 64²) is an eighth of it.
    assertEquals(us(960), noAttention.recompute(MEDIUM, 0, 1));
    assertEquals(us(120), noAttention.recompute(SMALL, 0, 1));
    assertEquals(us(120 * 100), noAttention.recompute(SMALL, 0, 100));
  }

  @Test
  void attentionMakesLaterTokensAndLongerContextsCostMore() {
    assertTrue(MODEL.recompute(SMALL, 1000, 1001).compareTo(MODEL.recompute(SMALL, 0, 1)) > 0);
    // Quadratic, not linear: twice the context costs more than twice as much.
    Duration k1 = MODEL.recompute(SMALL, 0, 1024);
    Duration k2 = MODEL.recompute(SMALL, 0, 2048);
    assertTrue(k2.compareTo(k1.multipliedBy(3)) > 0, k1 + " then " + k2);
    // One token at position p costs base·(1 + f·p/width): 12.5us · (1 + 0.32·640/64) = 52.5us.
    assertEquals(Duration.ofNanos(52_500), MODEL.recompute(SMALL, 640, 641));
  }

  @Test
  void recomputeOfRangesAddsUp() {
    long whole = MODEL.recompute(MEDIUM, 0, 900).toNanos();
    long parts = MODEL.recompute(MEDIUM, 0, 300).plus(MODEL.recompute(MEDIUM, 300, 900)).toNanos();
    assertTrue(Math.abs(whole - parts) <= 1, whole + " vs " + parts);
    assertEquals(Duration.ZERO, MODEL.recompute(MEDIUM, 42, 42));
    assertThrows(IllegalArgumentException.class, () -> MODEL.recompute(MEDIUM, 10, 9));
    assertThrows(IllegalArgumentException.class, () -> MODEL.recompute(MEDIUM, -1, 9));
  }

  @Test
  void simulatedPrefillAddsPerComputedToken() {
    ResumeCostModel dev = MODEL.withSimulatedPrefillPerToken(us(200));
    assertEquals(
        MODEL.recompute(SMALL, 16, 116).plus(us(200 * 100)), dev.recompute(SMALL, 16, 116));
    // Restores compute nothing they restore, so simulated prefill does not touch them.
    assertEquals(MODEL.restore(SMALL, 10), dev.restore(SMALL, 10));
  }

  @Test
  void restoreIsFixedPlusLinearInBlocksAndInBytesOfLargeBlocks() {
    assertEquals(ms(5), MODEL.restore(MEDIUM, 0));
    assertEquals(ms(5 + 10), MODEL.restore(MEDIUM, 10));
    // Up to 64 KiB a block costs one row read, whatever its size: baton-small's 16 KiB as well.
    assertEquals(ms(5 + 10), MODEL.restore(SMALL, 10));
    // Past it, bytes count: 8 layers of width 256 make blocks four times baton-medium's.
    ModelInfo big = new ModelInfo("big", 320, 8, 256, 8, 8192, 16);
    assertEquals(ms(5 + 40), MODEL.restore(big, 10));
    assertThrows(IllegalArgumentException.class, () -> MODEL.restore(SMALL, -1));
  }

  @Test
  void smallContextsAreRecomputedAndLargeOnesRestored() {
    for (ModelInfo model : new ModelInfo[] {SMALL, MEDIUM}) {
      assertEquals(ResumeMethod.RECOMPUTE, MODEL.choose(model, 32, 32, 0), model.id());
      assertEquals(ResumeMethod.KV_RESTORE, MODEL.choose(model, 4096, 4096, 0), model.id());
      int crossover = MODEL.crossoverTokens(model);
      assertTrue(crossover > 32 && crossover < 4096, model.id() + " switches at " + crossover);
      assertEquals(ResumeMethod.RECOMPUTE, MODEL.choose(model, crossover - 16, crossover - 16, 0));
      assertEquals(ResumeMethod.KV_RESTORE, MODEL.choose(model, crossover, crossover, 0));
      // Past the switch, restore keeps winning.
      assertEquals(ResumeMethod.KV_RESTORE, MODEL.choose(model, crossover * 4, crossover * 4, 0));
    }
  }

  @Test
  void withoutACheckpointEverythingIsRecomputed() {
    assertEquals(ResumeMethod.RECOMPUTE, MODEL.choose(SMALL, 4096, 0, 0));
    // Less than one block is no checkpoint: only full blocks are stored.
    assertEquals(ResumeMethod.RECOMPUTE, MODEL.choose(SMALL, 4096, 15, 0));
    assertFalse(MODEL.restoreBeatsRecompute(SMALL, 0, 0));
    assertFalse(MODEL.restoreBeatsRecompute(SMALL, 15, 0));
  }

  @Test
  void cachedTokensMakeRecomputeCheaper() {
    int context = 4096;
    assertEquals(ResumeMethod.KV_RESTORE, MODEL.choose(SMALL, context, context, 0));
    // The GPU holds all but the last block: recomputing 16 tokens beats fetching 256 blocks.
    assertEquals(ResumeMethod.RECOMPUTE, MODEL.choose(SMALL, context, context, context - 16));
    // A cache that reaches as far as the checkpoint leaves a restore nothing to add.
    assertEquals(ResumeMethod.RECOMPUTE, MODEL.choose(SMALL, context, 2048, 2048));
    assertEquals(ResumeMethod.RECOMPUTE, MODEL.choose(SMALL, context, 2048, 3000));
    // A little cache does not change the verdict.
    assertEquals(ResumeMethod.KV_RESTORE, MODEL.choose(SMALL, context, context, 64));
  }

  @Test
  void aCheckpointBeyondTheContextRestoresOnlyTheContextsBlocks() {
    // 40 tokens hold two full blocks; a checkpoint claiming more cannot restore more.
    assertEquals(MODEL.choose(SMALL, 40, 32, 0), MODEL.choose(SMALL, 40, 4096, 0));
  }

  @Test
  void restoreBeatsRecomputeForLongStoredPrefixesOnly() {
    assertTrue(MODEL.restoreBeatsRecompute(MEDIUM, 2048, 0));
    assertFalse(MODEL.restoreBeatsRecompute(MEDIUM, 16, 0));
    assertFalse(MODEL.restoreBeatsRecompute(MEDIUM, 2048, 2048));
    assertFalse(MODEL.restoreBeatsRecompute(MEDIUM, 2048, 2032));
  }

  @Test
  void simulatedPrefillMovesTheSwitchToShorterContexts() {
    ResumeCostModel dev = MODEL.withSimulatedPrefillPerToken(us(200));
    assertTrue(dev.crossoverTokens(SMALL) < MODEL.crossoverTokens(SMALL));
    // Fetching is cheap next to the time a (simulated) GPU would spend: a costlier store moves it back.
    ResumeCostModel slowStore = new ResumeCostModel(ms(20), ms(5), us(100), 0.32, Duration.ZERO);
    int slow = slowStore.crossoverTokens(MEDIUM);
    assertTrue(slow > MODEL.crossoverTokens(MEDIUM) && slow < MEDIUM.maxContext(), "switches at " + slow);
  }

  @Test
  void readsItsSectionAndTheEngineTiming() {
    var config = ConfigFactory.parseString(
        "baton.workers.cost-model { restore-fixed = 2ms, restore-per-block = 300us,"
            + " recompute-per-token-base = 1ms, recompute-context-factor = 0.5 }\n"
            + "baton.workers.engine.timing.prefill-per-token = 150us");
    assertEquals(
        new ResumeCostModel(ms(2), us(300), ms(1), 0.5, us(150)),
        ResumeCostModel.fromConfig(config));
    // The shipped defaults load, and on them the shipped models switch between the extremes.
    ResumeCostModel shipped =
        ResumeCostModel.fromConfig(ConfigFactory.defaultReference()).withSimulatedPrefillPerToken(Duration.ZERO);
    assertEquals(ResumeMethod.RECOMPUTE, shipped.choose(SMALL, 16, 16, 0));
    assertEquals(ResumeMethod.KV_RESTORE, shipped.choose(SMALL, 4096, 4096, 0));
  }

  @Test
  void negativeCostsAreRejected() {
    assertThrows(IllegalArgumentException.class,
        () -> new ResumeCostModel(ms(-1), ms(1), ms(1), 0.3, Duration.ZERO));
    assertThrows(IllegalArgumentException.class,
        () -> new ResumeCostModel(ms(1), ms(1), ms(1), -0.1, Duration.ZERO));
    assertThrows(IllegalArgumentException.class,
        () -> new ResumeCostModel(ms(1), ms(1), ms(1), Double.NaN, Duration.ZERO));
  }
}
