package io.baton.orchestrator.placement;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import io.baton.actors.session.FailureCause;
import io.baton.actors.session.ResumeMethod;
import io.baton.actors.session.SessionEvent;
import io.baton.actors.session.SessionSpec;
import io.baton.actors.session.SessionState;
import io.baton.actors.worker.GpuStatus;
import io.baton.persistence.BatonConfig;
import io.baton.workers.WorkersSettings;
import io.baton.workers.agent.EngineView;
import io.baton.workers.agent.GpuReport;
import io.baton.workers.agent.ResumeCostModel;
import io.baton.workers.engine.BlockHash;
import io.baton.workers.engine.ModelSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** How the placer ranks GPUs and picks the resume method, from GPU reports alone. */
class PlacementPolicyTest {
  static final String MODEL = "baton-small";
  static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");
  static final WorkersSettings WORKERS = WorkersSettings.fromConfig(BatonConfig.load(ConfigFactory.empty()));
  static final PlacementPolicy POLICY = new PlacementPolicy(Duration.ofSeconds(3),
      ResumeCostModel.fromConfig(BatonConfig.load(ConfigFactory.empty())),
      id -> WORKERS.engine().model(id).map(ModelSpec::info));
  static final List<Integer> PROMPT = IntStream.range(0, 160).map(i -> (i * 13 + 7) % 200).boxed().toList();

  final HeldBlocks held = new HeldBlocks();

  static GpuReport gpu(String id, GpuStatus status, int sessions, List<String> blocks, Instant at) {
    return new GpuReport(id, "node-1", "host-" + id, MODEL, null, null, status, sessions, 8, blocks, at, Map.of(),
        null, null, null, List.of());
  }

  static GpuReport idle(String id) {
    return gpu(id, GpuStatus.ACTIVE, 0, List.of(), NOW);
  }

  static SessionState submitted() {
    SessionSpec spec = new SessionSpec(MODEL, PROMPT, new SessionSpec.Sampling(0, 1, 1), 64, "t", 0, null);
    return SessionState.empty("s").apply(new SessionEvent.Submitted("s", spec, NOW));
  }

  /** The hashes of the prompt's first {@code blocks} KV blocks. */
  static List<String> promptBlocks(int blocks) {
    int[] tokens = PROMPT.stream().mapToInt(Integer::intValue).toArray();
    return Arrays.asList(BlockHash.chain(tokens, tokens.length, MODEL)).subList(0, blocks);
  }

  List<String> ranking(SessionState s, GpuReport... reports) {
    return POLICY.candidates(s, List.of(reports), held::of, NOW).stream().map(c -> c.gpu().gpuId()).toList();
  }

  @Test
  void theGpuHoldingTheLongestPrefixComesFirstEvenWhenBusier() {
    assertEquals(List.of("warm", "lukewarm", "cold"), ranking(submitted(),
        idle("cold"),
        gpu("lukewarm", GpuStatus.ACTIVE, 1, promptBlocks(3), NOW),
        gpu("warm", GpuStatus.ACTIVE, 3, promptBlocks(10), NOW)));
  }

  @Test
  void withoutAPrefixTheLessLoadedGpuComesFirst() {
    assertEquals(List.of("a", "b"), ranking(submitted(),
        gpu("b", GpuStatus.ACTIVE, 5, List.of(), NOW), gpu("a", GpuStatus.ACTIVE, 1, List.of(), NOW)));
  }

  @Test
  void onlyFreshReportsOfActiveGpusWithRoomCount() {
    assertEquals(List.of("ok"), ranking(submitted(),
        idle("ok"),
        gpu("spare", GpuStatus.SPARE, 0, List.of(), NOW),
        gpu("cordoned", GpuStatus.CORDONED, 0, List.of(), NOW),
        gpu("full", GpuStatus.ACTIVE, 8, List.of(), NOW),
        gpu("stale", GpuStatus.ACTIVE, 0, List.of(), NOW.minusSeconds(10)),
        new GpuReport("other-model", "node-1", "h", "baton-medium", null, null, GpuStatus.ACTIVE, 0, 8, List.of(), NOW, Map.of(),
            null, null, null, List.of())));
  }

  @Test
  void aGpuWhereTheSessionFailedGoesLastAndTheResumeMethodFollowsTheCheckpoint() {
    SessionState failed = submitted()
        .apply(new SessionEvent.Placed(1, "warm", 0, ResumeMethod.FRESH, NOW))
        .apply(new SessionEvent.TokensAppended(1, 0, List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16), NOW))
        // 160 prompt + 16 generated tokens: 11 checkpointed blocks.
        .apply(new SessionEvent.KvCheckpointed(1, 176, IntStream.range(0, 11).mapToObj(i -> "b" + i).toList(), NOW))
        .apply(new SessionEvent.AttemptFailed(1, FailureCause.xid(13, "app-fault", "x"), NOW));
    List<PlacementPolicy.Candidate> ranked = POLICY.candidates(failed,
        List.of(gpu("warm", GpuStatus.ACTIVE, 0, promptBlocks(10), NOW), idle("cold")), held::of, NOW);
    assertEquals(List.of("cold", "warm"), ranked.stream().map(c -> c.gpu().gpuId()).toList());
    // 176 checkpointed tokens on a cold GPU: restoring beats recomputing them.
    assertEquals(ResumeMethod.KV_RESTORE, ranked.get(0).method());
    assertEquals(ResumeMethod.FRESH, POLICY.candidates(submitted(), List.of(idle("a")), held::of, NOW).get(0).method());
  }

  @Test
  void afterANodeFatalXidTheOtherGpusOfThatHostGoLastToo() {
    SessionState failed = submitted()
        .apply(new SessionEvent.Placed(1, "h0-g0", 0, ResumeMethod.FRESH, NOW))
        .apply(new SessionEvent.AttemptFailed(1, FailureCause.xid(79, "node-fatal", "fallen off the bus"), NOW));
    GpuReport sibling = new GpuReport("h0-g1", "node-1", "host-0", MODEL, null, null, GpuStatus.ACTIVE, 0, 8, List.of(),
        NOW, Map.of(), null, null, null, List.of());
    GpuReport lost = new GpuReport("h0-g0", "node-1", "host-0", MODEL, null, null, GpuStatus.CORDONED, 0, 8, List.of(),
        NOW, Map.of(), null, null, null, List.of());
    GpuReport busy = new GpuReport("h1-g0", "node-1", "host-1", MODEL, null, null, GpuStatus.ACTIVE, 6, 8, List.of(),
        NOW, Map.of(), null, null, null, List.of());
    // The sibling is idle and the other host busy, but the sibling's own cordon is on its way.
    assertEquals(List.of("h1-g0", "h0-g1"), ranking(failed, sibling, lost, busy));
    SessionState appFault = submitted()
        .apply(new SessionEvent.Placed(1, "h0-g0", 0, ResumeMethod.FRESH, NOW))
        .apply(new SessionEvent.AttemptFailed(1, FailureCause.xid(13, "app-fault", "x"), NOW));
    assertEquals(List.of("h0-g1", "h1-g0"), ranking(appFault, sibling, lost, busy), "only a node-fatal XID spreads");
  }

  @Test
  void onAnEngineServerASampledResumeIsRecordedAsContinuedUnlessTheEngineTakesTheSamplingIndex() {
    SessionState sampled = resumable(new SessionSpec.Sampling(0.8, 0.95, 7));
    assertEquals(ResumeMethod.RECOMPUTE_CONTINUED, methodOn(sampled, "vllm"));
    assertEquals(ResumeMethod.RECOMPUTE, methodOn(sampled, "baton"), "baton engine serve resumes exactly");
    // Greedy decoding on the same model resumes exactly anywhere; no server imports a KV checkpoint.
    assertEquals(ResumeMethod.RECOMPUTE, methodOn(resumable(new SessionSpec.Sampling(0, 1, 7)), "sglang"));
  }

  /** A session with 176 durable, checkpointed tokens whose attempt failed. */
  private static SessionState resumable(SessionSpec.Sampling sampling) {
    SessionSpec spec = new SessionSpec(MODEL, PROMPT, sampling, 64, "t", 0, null);
    return SessionState.empty("s").apply(new SessionEvent.Submitted("s", spec, NOW))
        .apply(new SessionEvent.Placed(1, "a", 0, ResumeMethod.FRESH, NOW))
        .apply(new SessionEvent.TokensAppended(1, 0, List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16), NOW))
        .apply(new SessionEvent.KvCheckpointed(1, 176, IntStream.range(0, 11).mapToObj(i -> "b" + i).toList(), NOW))
        .apply(new SessionEvent.AttemptFailed(1, FailureCause.of(FailureCause.Kind.ENGINE_LOST, "gone"), NOW));
  }

  private ResumeMethod methodOn(SessionState s, String engineKind) {
    GpuReport remote = new GpuReport("r", "node-1", "host-r", MODEL, null, null, GpuStatus.ACTIVE, 0, 8, List.of(), NOW,
        Map.of(), null, null, new EngineView(engineKind, "http://127.0.0.1:9100", null), List.of());
    return POLICY.candidates(s, List.of(remote), held::of, NOW).get(0).method();
  }
}
