package io.baton.orchestrator.placement;

import io.baton.actors.session.Attempt;
import io.baton.actors.session.SessionState;
import io.baton.actors.worker.GpuWorker;
import io.baton.actors.worker.GpuWorkerCommand;
import io.baton.workers.agent.AgentCommand;
import io.baton.workers.agent.GpuReport;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * Places the pending sessions that live on this node. Every node runs one, fed by the GPU reports
 * every agent publishes, so no single actor's loss stops placement or streaming (DESIGN.md). A
 * session asks its own node's placer; two placers answering the same session cannot both win,
 * because Place carries the next attempt number.
 *
 * <p>Candidates are tried best first: the agent of the chosen GPU reserves a slot, records the
 * placement on the session and answers Assigned; a full or failing GPU answers Refused and the next
 * candidate is asked. When none takes the session it stays pending and asks again later.
 */
public final class Placer extends AbstractBehavior<Placer.Command> {

  public sealed interface Command {}

  public record Place(SessionState state) implements Command {}

  public record AttemptTimedOut(SessionState state, Attempt attempt) implements Command {}

  /** The member at this address is unreachable: its GPUs take no placements until it reports again. */
  public record ForgetNode(org.apache.pekko.actor.Address address) implements Command {}

  private record ReportHeard(GpuReport report) implements Command {}

  private record Answered(SessionState state, List<PlacementPolicy.Candidate> rest, PlacementPolicy.Candidate tried,
      AgentCommand.AssignReply reply, Throwable error) implements Command {}

  private static final Duration ASSIGN_TIMEOUT = Duration.ofSeconds(5);
  /**
   * A placement made just before its node died is in no GPU report (they come every 500 ms), and the
   * failure detector flags the node 2.5-4 s after its death: placements younger than this are kept.
   */
  private static final Duration RECENT = Duration.ofSeconds(5);

  /** A placement this placer made, kept while the GPU's reports may not list it yet. */
  private record Recent(String gpuId, int attempt, org.apache.pekko.actor.Address agent, Instant at) {}

  private final Map<String, Recent> recent = new HashMap<>();

  private final String by;
  private final PlacementPolicy policy;
  private final Map<String, GpuReport> reports = new HashMap<>();
  private final Set<String> inFlight = new HashSet<>();
  private final HeldBlocks held = new HeldBlocks();
  private final MeterRegistry metrics;

  private Placer(ActorContext<Command> context, String nodeId, PlacementPolicy policy,
      ActorRef<Topic.Command<GpuReport>> reportTopic, MeterRegistry metrics) {
    super(context);
    this.metrics = metrics;
    this.by = "placer@" + nodeId;
    this.policy = policy;
    reportTopic.tell(Topic.subscribe(context.messageAdapter(GpuReport.class, ReportHeard::new)));
  }

  /** @param metrics where each resumed placement is counted (baton.migrations, by cause and method) */
  public static Behavior<Command> create(String nodeId, PlacementPolicy policy,
      ActorRef<Topic.Command<GpuReport>> reportTopic, MeterRegistry metrics) {
    return Behaviors.setup(ctx -> new Placer(ctx, nodeId, policy, reportTopic, metrics));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(ReportHeard.class, m -> {
          reports.put(m.report().gpuId(), m.report());
          return this;
        })
        .onMessage(ForgetNode.class, this::onForgetNode)
        .onMessage(Place.class, this::onPlace)
        .onMessage(Answered.class, this::onAnswered)
        .onMessage(AttemptTimedOut.class, this::onTimedOut)
        .build();
  }

  private Behavior<Command> onPlace(Place m) {
    SessionState s = m.state();
    if (!inFlight.add(s.sessionId())) {
      return this; // already being placed; the session's retry timer asks again if this one fails
    }
    List<PlacementPolicy.Candidate> candidates = policy.candidates(s, reports.values(), held::of, Instant.now());
    if (candidates.isEmpty()) {
      getContext().getLog().debug("session {}: no GPU serving {} has room; it stays pending", s.sessionId(),
          s.spec().model());
    }
    return tryNext(s, candidates);
  }

  private Behavior<Command> tryNext(SessionState s, List<PlacementPolicy.Candidate> candidates) {
    if (candidates.isEmpty()) {
      inFlight.remove(s.sessionId());
      return this;
    }
    PlacementPolicy.Candidate c = candidates.get(0);
    List<PlacementPolicy.Candidate> rest = candidates.subList(1, candidates.size());
    int attempt = s.attempt() + 1;
    // Kept from the ask on, not from the answer: an agent that records Place on the session and then
    // dies before answering leaves the session placed on a dead GPU that no report ever lists.
    remember(s.sessionId(), c, attempt);
    getContext().ask(AgentCommand.AssignReply.class, c.gpu().agent(), ASSIGN_TIMEOUT,
        r -> new AgentCommand.Assign(c.gpu().gpuId(), s.sessionId(), attempt, c.method(), r),
        (reply, error) -> new Answered(s, rest, c, reply, error));
    return this;
  }

  private void remember(String sessionId, PlacementPolicy.Candidate c, int attempt) {
    Instant now = Instant.now();
    recent.values().removeIf(r -> r.at().isBefore(now.minus(RECENT)));
    recent.put(sessionId, new Recent(c.gpu().gpuId(), attempt,
        c.gpu().agent() == null ? null : c.gpu().agent().path().address(), now));
  }

  private Behavior<Command> onAnswered(Answered m) {
    if (m.reply() instanceof AgentCommand.Assigned a) {
      inFlight.remove(a.sessionId());
      remember(a.sessionId(), m.tried(), a.attempt());
      reports.computeIfPresent(a.gpuId(), (id, report) -> report.withOneMoreSession());
      getContext().getLog().info("session {} attempt {} placed on {} method={} cachedTokens={} score={}",
          a.sessionId(), a.attempt(), a.gpuId(), m.tried().method(), m.tried().cachedTokens(),
          String.format("%.2f", m.tried().score()));
      if (a.attempt() > 1) {
        countMigration(m.state(), m.tried());
      }
      return this;
    }
    String why = m.reply() instanceof AgentCommand.Refused r ? r.reason() : "no answer: " + m.error();
    getContext().getLog().debug("session {}: {} refused: {}", m.state().sessionId(), m.tried().gpu().gpuId(), why);
    if (m.reply() instanceof AgentCommand.Refused r && r.bySession()) {
      inFlight.remove(m.state().sessionId()); // placed elsewhere or ended: nothing more to do here
      return this;
    }
    return tryNext(m.state(), m.rest());
  }

  /**
   * A session placed again after its attempt failed: counted here because only here are both the
   * failure (in the state the session asked with) and the resume method known, and an Assigned
   * reply means the placement is durable, so a refused candidate is never counted.
   */
  private void countMigration(SessionState s, PlacementPolicy.Candidate placed) {
    Attempt failed = s.currentAttempt();
    String cause = failed == null || failed.failure() == null
        ? "unknown" : failed.failure().kind().name().toLowerCase();
    metrics.counter("baton.migrations", "cause", cause, "method", placed.method().name().toLowerCase()).increment();
  }

  /**
   * Its GPUs take no placements, and the sessions this placer put there in the last moments are
   * moved: the node-loss watch fails the attempts the GPU reports listed, and these may not be
   * listed yet. A duplicate failure is harmless: the session ignores one for an older attempt.
   */
  private Behavior<Command> onForgetNode(ForgetNode m) {
    reports.values().removeIf(r -> r.agent() != null && m.address().equals(r.agent().path().address()));
    Instant since = Instant.now().minus(RECENT);
    recent.forEach((sessionId, r) -> {
      if (m.address().equals(r.agent()) && r.at().isAfter(since)) {
        getContext().getLog().warn("session {} attempt {}: placed on {} just before its node became unreachable;"
            + " moving it", sessionId, r.attempt(), r.gpuId());
        ClusterSharding.get(getContext().getSystem()).entityRefFor(io.baton.actors.session.Session.ENTITY_KEY, sessionId)
            .tell(new io.baton.actors.session.SessionCommand.FailAttempt(r.attempt(),
                io.baton.actors.session.FailureCause.of(io.baton.actors.session.FailureCause.Kind.NODE_UNREACHABLE,
                    r.gpuId() + "'s node became unreachable (cluster failure detector)"),
                getContext().getSystem().ignoreRef()));
      }
    });
    recent.values().removeIf(r -> m.address().equals(r.agent()));
    return this;
  }

  /** Detection path 2: a silent attempt makes its GPU suspect; its agent then resets and checks it. */
  private Behavior<Command> onTimedOut(AttemptTimedOut m) {
    String reason = "session " + m.state().sessionId() + " attempt " + m.attempt().number()
        + " made no progress within the progress timeout";
    getContext().getLog().warn("gpu {} suspect: {}", m.attempt().workerId(), reason);
    ClusterSharding.get(getContext().getSystem())
        .entityRefFor(GpuWorker.ENTITY_KEY, m.attempt().workerId())
        .tell(new GpuWorkerCommand.MarkSuspect(by, reason, getContext().getSystem().ignoreRef()));
    return this;
  }
}
