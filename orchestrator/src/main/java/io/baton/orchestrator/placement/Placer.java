package io.baton.orchestrator.placement;

import io.baton.actors.queue.QueueBoard;
import io.baton.actors.session.Attempt;
import io.baton.actors.session.FailureCause;
import io.baton.actors.session.ServiceClass;
import io.baton.actors.session.SessionCommand;
import io.baton.actors.session.SessionState;
import io.baton.actors.worker.GpuWorker;
import io.baton.actors.worker.GpuWorkerCommand;
import io.baton.workers.agent.GpuReport;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * Offers GPUs to the sessions that live on this node. Every node runs one, fed by the GPU reports
 * every agent publishes, so no single actor's loss stops placement or streaming (DESIGN.md). It
 * only advises: it answers a session with its candidates, best first, and the session records the
 * placement and grants it (DESIGN.md, "Attempts: the session decides"). Two offers for the same
 * session cannot both be used, because Placed carries the next attempt number.
 */
public final class Placer extends AbstractBehavior<Placer.Command> {

  public sealed interface Command {}

  /**
   * A session asks for GPUs for its next attempt; the answer is an Offer to {@code replyTo}.
   *
   * @param admitted its model's admission queue admitted it: it is not held back for the others
   */
  public record Place(SessionState state, boolean admitted, ActorRef<SessionCommand> replyTo, Instant at)
      implements Command {
    public Place(SessionState state, boolean admitted, ActorRef<SessionCommand> replyTo) {
      this(state, admitted, replyTo, Instant.now());
    }

    public Place(SessionState state, ActorRef<SessionCommand> replyTo) {
      this(state, false, replyTo);
    }
  }

  /** A session's lease ran out on a GPU whose runner had confirmed it: the GPU may hang. */
  public record AttemptTimedOut(SessionState state, Attempt attempt) implements Command {}

  /** The member at this address is unreachable: its GPUs take no placements until it reports again. */
  public record ForgetNode(Address address) implements Command {}

  private record ReportHeard(GpuReport report) implements Command {}

  /** Candidates beyond this many are never tried: a session that runs out asks again. */
  private static final int OFFERED = 3;

  private final String by;
  private final PlacementPolicy policy;
  private final Map<String, GpuReport> reports = new HashMap<>();
  private final HeldBlocks held = new HeldBlocks();
  private final MeterRegistry metrics;
  private final QueueBoard queues;
  /**
   * Admitted sessions the last offer found no room for, oldest first: offered again as soon as a
   * report shows room for their model, rather than at their next placement retry.
   */
  private final Map<String, Place> admittedWaiting = new LinkedHashMap<>();
  /** The sessions offered each GPU since its last report, counted as busy there until it reports. */
  private final Map<String, Set<String>> offeredSinceReport = new HashMap<>();

  private Placer(ActorContext<Command> context, String nodeId, PlacementPolicy policy,
      ActorRef<Topic.Command<GpuReport>> reportTopic, QueueBoard queues, MeterRegistry metrics) {
    super(context);
    this.metrics = metrics;
    this.queues = queues;
    this.by = "placer@" + nodeId;
    this.policy = policy;
    reportTopic.tell(Topic.subscribe(context.messageAdapter(GpuReport.class, ReportHeard::new)));
  }

  /**
   * @param queues the admission queues as this node last heard them: a session is not offered a GPU
   *     while others of its class or higher wait, unless the queue admitted it
   * @param metrics where each resumed placement is counted (baton.migrations, by cause and method)
   */
  public static Behavior<Command> create(String nodeId, PlacementPolicy policy,
      ActorRef<Topic.Command<GpuReport>> reportTopic, QueueBoard queues, MeterRegistry metrics) {
    return Behaviors.setup(ctx -> new Placer(ctx, nodeId, policy, reportTopic, queues, metrics));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(ReportHeard.class, m -> {
          reports.put(m.report().gpuId(), m.report());
          offeredSinceReport.remove(m.report().gpuId());
          if (m.report().hasRoom() && !admittedWaiting.isEmpty()) {
            offerAdmittedAgain(m.report().model());
          }
          return this;
        })
        .onMessage(ForgetNode.class, m -> {
          reports.values().removeIf(r -> r.agent() != null && m.address().equals(r.agent().path().address()));
          return this;
        })
        .onMessage(Place.class, this::onPlace)
        .onMessage(AttemptTimedOut.class, this::onTimedOut)
        .build();
  }

  private Behavior<Command> onPlace(Place m) {
    SessionState s = m.state();
    Optional<String> heldBack = m.admitted() ? Optional.empty() : heldBack(s);
    if (heldBack.isPresent()) {
      getContext().getLog().debug("session {}: waits for the queue's admission: {}", s.sessionId(), heldBack.get());
      m.replyTo().tell(new SessionCommand.Offer(s.attempt() + 1, List.of()));
      return this;
    }
    List<PlacementPolicy.Candidate> candidates = policy.candidates(s, reports.values(), held::of, Instant.now());
    admittedWaiting.remove(s.sessionId());
    if (candidates.isEmpty()) {
      getContext().getLog().debug("session {}: no GPU serving {} has room; it stays pending", s.sessionId(),
          s.spec().model());
      if (m.admitted()) {
        admittedWaiting.put(s.sessionId(), m);
      }
    } else {
      PlacementPolicy.Candidate best = candidates.get(0);
      // Counted until the GPU's next report, so sessions submitted together spread over GPUs
      // instead of piling onto the one that looked idle.
      // Once per session: a session that asks twice (its retry crossing an offer) takes one place.
      if (offeredSinceReport.computeIfAbsent(best.gpu().gpuId(), id -> new HashSet<>()).add(s.sessionId())) {
        reports.computeIfPresent(best.gpu().gpuId(), (id, report) -> report.withOneMoreSession());
      }
      getContext().getLog().debug("session {} attempt {}: offering {} method={} cachedTokens={} score={}",
          s.sessionId(), s.attempt() + 1, best.gpu().gpuId(), best.method(), best.cachedTokens(),
          String.format("%.2f", best.score()));
      if (s.attempt() > 0) {
        countMigration(s, best);
      }
    }
    m.replyTo().tell(new SessionCommand.Offer(s.attempt() + 1, candidates.stream().limit(OFFERED)
        .map(c -> new SessionCommand.Candidate(c.gpu().gpuId(), c.method(), c.gpu().grants())).toList()));
    return this;
  }

  private void offerAdmittedAgain(String model) {
    Instant stale = Instant.now().minus(policy.staleAfter());
    List<Place> again = new ArrayList<>();
    admittedWaiting.values().removeIf(p -> {
      boolean gone = p.at().isBefore(stale);
      if (!gone && p.state().spec().model().equals(model)) {
        again.add(p);
        return true;
      }
      return gone;
    });
    again.forEach(this::onPlace);
  }

  /**
   * Why the session must wait for the queue rather than take a GPU now: it gave its GPU up to more
   * urgent work (it must not take one back before that work does), or it is new and sessions of its
   * class or higher already wait (a newcomer does not pass them). A session displaced by a fault is
   * never held back: it takes any free place at once, as it would without a queue.
   */
  private Optional<String> heldBack(SessionState s) {
    Attempt last = s.currentAttempt();
    if (last != null && last.failure() != null && last.failure().kind() == FailureCause.Kind.PREEMPTED) {
      return Optional.of("its last attempt was preempted");
    }
    if (s.resuming()) {
      return Optional.empty();
    }
    ServiceClass cls = ServiceClass.ofRank(s.spec().priority());
    return queues.fresh(s.spec().model()).map(q -> q.waitingAtOrAbove(cls)).filter(n -> n > 0)
        .map(n -> n + " sessions of class " + cls.wireName() + " or higher wait");
  }

  /**
   * A session placed again after its attempt failed: counted here because only here are both the
   * failure (in the state the session asked with) and the resume method known.
   */
  private void countMigration(SessionState s, PlacementPolicy.Candidate placed) {
    Attempt failed = s.currentAttempt();
    String cause = failed == null || failed.failure() == null
        ? "unknown" : failed.failure().kind().name().toLowerCase();
    metrics.counter("baton.migrations", "cause", cause, "method", placed.method().name().toLowerCase()).increment();
  }

  /** Detection path 3: a silent attempt makes its GPU suspect; its agent then resets and checks it. */
  private Behavior<Command> onTimedOut(AttemptTimedOut m) {
    String reason = "session " + m.state().sessionId() + " attempt " + m.attempt().number()
        + " sent no chunk and no heartbeat for its lease";
    getContext().getLog().warn("gpu {} suspect: {}", m.attempt().workerId(), reason);
    ClusterSharding.get(getContext().getSystem())
        .entityRefFor(GpuWorker.ENTITY_KEY, m.attempt().workerId())
        .tell(new GpuWorkerCommand.MarkSuspect(by, reason, getContext().getSystem().ignoreRef()));
    return this;
  }
}
