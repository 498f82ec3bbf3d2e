package io.baton.workers.agent;

import io.baton.actors.queue.GpuLoad;
import io.baton.actors.session.FailureCause;
import io.baton.actors.session.Grant;
import io.baton.actors.session.SessionCommand;
import io.baton.workers.engine.InferenceEngine;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * The attempts running on one GPU, each in a supervised {@link SessionRunner} child of the GPU's
 * keeper, and the prefill it has done. Belongs to that one actor and is touched only on its thread.
 * How a grant is taken (DESIGN.md, "Attempts"): the session has already recorded the placement and
 * sent everything the run needs, so the run starts at once or the grant is refused, and the session
 * tries its next candidate. Nothing here fails an attempt on its own account.
 */
final class GpuRuns {
  /** One attempt running on the GPU. */
  record Run(int attempt, ActorRef<SessionRunner.Command> runner, int rank, Instant startedAt, boolean preemptedBefore) {}

  private final ActorContext<GpuCommand> context;
  private final String gpuId;
  private final InferenceEngine engine;
  private final AgentSettings settings;
  private final GpuLinks links;
  private final ActorRef<RunnerEvent> events;
  private final Map<String, Run> runs = new HashMap<>();
  private long restoredTokens;
  private long cachedTokens;
  private long computedTokens;

  GpuRuns(ActorContext<GpuCommand> context, String gpuId, InferenceEngine engine, AgentSettings settings,
      GpuLinks links) {
    this.context = context;
    this.gpuId = gpuId;
    this.engine = engine;
    this.settings = settings;
    this.links = links;
    this.events = context.messageAdapter(RunnerEvent.class, GpuCommand.RunnerReported::new);
  }

  /**
   * Starts the granted attempt, or refuses it when {@code refusal} says why the GPU cannot take it
   * (null: it can, room permitting). A repeated grant for the run under way changes nothing.
   */
  void granted(Grant g, String refusal) {
    Run current = runs.get(g.sessionId());
    if (current != null && current.attempt() >= g.attempt()) {
      return; // its heartbeats speak for it
    }
    String why = refusal != null ? refusal
        : runs.size() >= settings.sessionsPerGpu() ? gpuId + " is full (" + settings.sessionsPerGpu() + " sessions)"
        : null;
    if (why != null) {
      context.getLog().debug("session {} attempt {}: grant refused: {}", g.sessionId(), g.attempt(), why);
      links.sessions().apply(g.sessionId()).tell(new SessionCommand.GrantRefused(g.attempt(), g.gpuId(), why));
      return;
    }
    if (current != null) {
      current.runner().tell(new SessionRunner.Stop());
    }
    ActorRef<SessionRunner.Command> runner = context.spawnAnonymous(
        // A null store turns off both checkpoints and restores in the runner.
        SessionRunner.create(links.sessions().apply(g.sessionId()), g.state(), g.attempt(), g.method(), engine,
            settings.checkpoints() ? links.store() : null, links.costModel(), settings.runner(),
            links.meters().runner(), events),
        DispatcherSelector.fromConfig(WorkerAgent.RUNNER_DISPATCHER));
    context.watchWith(runner, new GpuCommand.RunnerStopped(g.sessionId(), g.attempt()));
    boolean preemptedBefore = g.state().attempts().stream()
        .anyMatch(a -> a.failure() != null && a.failure().kind() == FailureCause.Kind.PREEMPTED);
    runs.put(g.sessionId(), new Run(g.attempt(), runner, g.state().spec().priority(), Instant.now(),
        preemptedBefore));
    context.getLog().info("session {} attempt {} running on {} method={} durable={}", g.sessionId(), g.attempt(),
        gpuId, g.method(), g.state().tokenCount());
  }

  void moved(String sessionId, int attempt) {
    Run run = runs.get(sessionId);
    if (run != null && run.attempt() == attempt) {
      run.runner().tell(new SessionRunner.SessionMoved());
    }
  }

  /**
   * A runner's report. Returns how its attempt failed when it did, for the keeper to act on; null
   * otherwise, and for a run already given up on (aborted or replaced).
   */
  FailureCause reported(RunnerEvent e) {
    Run run = runs.get(e.sessionId());
    if (run == null || run.attempt() != e.attempt()) {
      return null;
    }
    if (e instanceof RunnerEvent.Prefilled p) {
      restoredTokens += p.stats().restoredTokens();
      cachedTokens += p.stats().cachedTokens();
      computedTokens += p.stats().computedTokens();
      if (p.attempt() > 1) {
        links.meters().resumes().record(p.stats());
      }
      return null;
    }
    runs.remove(e.sessionId());
    return e instanceof RunnerEvent.Failed f ? f.cause() : null;
  }

  /** A runner stopped: if it had not said how its attempt ended, it crashed, and the session moves on. */
  void stopped(String sessionId, int attempt) {
    Run run = runs.get(sessionId);
    if (run != null && run.attempt() == attempt) {
      runs.remove(sessionId);
      context.getLog().error("session {} attempt {}: runner on {} stopped unexpectedly; failing the attempt",
          sessionId, attempt, gpuId);
      links.sessions().apply(sessionId).tell(new SessionCommand.Hint(attempt, gpuId,
          FailureCause.of(FailureCause.Kind.ENGINE_ERROR, "the run crashed on " + gpuId)));
    }
  }

  /**
   * Gives the run's place up: the session hears PREEMPTED (it keeps its durable tokens and
   * checkpoint, and resumes later) and the runner stops now. A run already gone, or a later one of
   * the session, is left alone.
   */
  void preempt(String sessionId, int attempt, String reason) {
    Run run = runs.get(sessionId);
    if (run == null || run.attempt() != attempt) {
      return;
    }
    runs.remove(sessionId);
    end(sessionId, run, FailureCause.of(FailureCause.Kind.PREEMPTED, reason));
  }

  /** Fails every attempt on the GPU at once, so the sessions move without waiting for a timeout. */
  void abortAll(FailureCause cause) {
    runs.forEach((sessionId, run) -> end(sessionId, run, cause));
    runs.clear();
  }

  /** Hints the session why its attempt here ends and stops the runner; the session decides the rest. */
  private void end(String sessionId, Run run, FailureCause cause) {
    links.sessions().apply(sessionId).tell(new SessionCommand.Hint(run.attempt(), gpuId, cause));
    run.runner().tell(new SessionRunner.Stop());
    context.getLog().info("session {} attempt {}: moved off {} ({})", sessionId, run.attempt(), gpuId,
        cause.detail());
  }

  boolean isEmpty() {
    return runs.isEmpty();
  }

  int size() {
    return runs.size();
  }

  /** The attempt running for each session, for the GPU's report. */
  Map<String, Integer> attempts() {
    Map<String, Integer> out = new HashMap<>();
    runs.forEach((session, run) -> out.put(session, run.attempt()));
    return out;
  }

  /** Each running attempt's class and start, for the admission queue's preemption. */
  List<GpuLoad.Run> loads() {
    List<GpuLoad.Run> out = new ArrayList<>();
    runs.forEach((session, run) -> out.add(new GpuLoad.Run(session, run.attempt(), run.rank(), run.startedAt(),
        run.preemptedBefore())));
    return out;
  }

  List<String> sessions() {
    List<String> out = new ArrayList<>(runs.keySet());
    out.sort(null);
    return out;
  }

  long restoredTokens() {
    return restoredTokens;
  }

  long cachedTokens() {
    return cachedTokens;
  }

  long computedTokens() {
    return computedTokens;
  }
}
