package io.baton.orchestrator.placement;

import io.baton.actors.session.Attempt;
import io.baton.actors.session.ResumeMethod;
import io.baton.actors.session.SessionState;
import io.baton.actors.worker.GpuStatus;
import io.baton.actors.worker.XidClass;
import io.baton.workers.agent.EngineView;
import io.baton.workers.agent.GpuReport;
import io.baton.workers.agent.ResumeCostModel;
import io.baton.workers.engine.BlockHash;
import io.baton.workers.engine.ModelInfo;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Which GPUs may take a session, best first, and how each would resume it (DESIGN.md,
 * "Placement"). Pure: the {@link Placer} feeds it the latest reports. A GPU scores by the share of
 * the session's context whose KV blocks it already holds, less its load; GPUs where an attempt of
 * this session already failed go last, so a retry lands elsewhere when it can, and so do the other
 * GPUs of a host where it failed with a node-fatal XID (their own cordon may not have reached this
 * placer's reports yet; the grant would only be refused).
 *
 * @param staleAfter a report older than this is ignored: its agent may be gone
 * @param models the model's dimensions, for the cost model; empty for models it does not know
 */
public record PlacementPolicy(Duration staleAfter, ResumeCostModel costModel, Function<String, Optional<ModelInfo>> models) {

  /** A candidate GPU and the method it would resume with. */
  public record Candidate(GpuReport gpu, ResumeMethod method, int cachedTokens, double score) {}

  /** Weight of a fully cached context against a fully loaded GPU. */
  private static final double PREFIX_WEIGHT = 2.0;

  /** @param held each report's held block hashes as a set (see {@link HeldBlocks}) */
  public List<Candidate> candidates(
      SessionState s, Collection<GpuReport> reports, Function<GpuReport, Set<String>> held, Instant now) {
    String model = s.spec().model();
    int[] context = context(s);
    String[] chain = BlockHash.chain(context, context.length, model);
    Set<String> failedOn = new HashSet<>();
    Set<String> fatalHosts = new HashSet<>();
    for (Attempt a : s.attempts()) {
      if (a.failure() != null) {
        failedOn.add(a.workerId());
        if (XidClass.NODE_FATAL.id().equals(a.failure().xidClass())) {
          reports.stream().filter(r -> r.gpuId().equals(a.workerId())).forEach(r -> fatalHosts.add(r.hostId()));
        }
      }
    }
    List<Candidate> out = new ArrayList<>();
    for (GpuReport r : reports) {
      if (r.status() != GpuStatus.ACTIVE || !r.model().equals(model) || !r.hasRoom()
          || r.at().plus(staleAfter).isBefore(now)) {
        continue;
      }
      int cachedTokens = heldPrefix(chain, held.apply(r)) * BlockHash.BLOCK_TOKENS;
      double prefixShare = context.length == 0 ? 0 : (double) cachedTokens / context.length;
      double load = (double) r.sessions() / r.capacity();
      double score = PREFIX_WEIGHT * prefixShare - load - (failedOn.contains(r.gpuId()) ? 10 : 0)
          - (fatalHosts.contains(r.hostId()) ? 10 : 0);
      out.add(new Candidate(r, method(s, context.length, cachedTokens, r), cachedTokens, score));
    }
    out.sort(Comparator.comparingDouble(Candidate::score).reversed()
        .thenComparingInt(c -> c.gpu().sessions())
        .thenComparing(c -> c.gpu().gpuId()));
    return out;
  }

  /**
   * FRESH for a first run; on an engine server, RECOMPUTE (its KV cache cannot be imported), or
   * RECOMPUTE_CONTINUED for a sampled session on a server that restarts its sampler; otherwise the
   * cheaper of restoring the checkpoint and recomputing.
   */
  ResumeMethod method(SessionState s, int contextTokens, int cachedTokens, GpuReport gpu) {
    if (s.tokenCount() == 0) {
      return ResumeMethod.FRESH;
    }
    EngineView engine = gpu.engine();
    if (engine != null && !engine.kind().equals("in-process")) {
      boolean sampled = s.spec().sampling().temperature() > 0;
      return sampled && !engine.resumesSampledExactly() ? ResumeMethod.RECOMPUTE_CONTINUED : ResumeMethod.RECOMPUTE;
    }
    if (s.checkpointUpto() == 0) {
      return ResumeMethod.RECOMPUTE;
    }
    return models.apply(s.spec().model())
        .map(m -> costModel.choose(m, contextTokens, s.checkpointUpto(), cachedTokens))
        .orElse(ResumeMethod.RECOMPUTE);
  }

  /** Prompt, then the durable generated tokens: what a resumed attempt's prefill covers. */
  static int[] context(SessionState s) {
    List<Integer> prompt = s.spec().promptTokens();
    List<Integer> tokens = s.tokens();
    int[] out = new int[prompt.size() + tokens.size()];
    for (int i = 0; i < prompt.size(); i++) {
      out[i] = prompt.get(i);
    }
    for (int i = 0; i < tokens.size(); i++) {
      out[prompt.size() + i] = tokens.get(i);
    }
    return out;
  }

  /** How many leading blocks of the chain the GPU holds: only a contiguous prefix is reusable. */
  static int heldPrefix(String[] chain, Set<String> held) {
    int n = 0;
    while (n < chain.length && held.contains(chain[n])) {
      n++;
    }
    return n;
  }
}
