package io.baton.orchestrator.fleet;

import io.baton.actors.worker.GpuStatus;
import io.baton.actors.worker.GpuWorker;
import io.baton.actors.worker.GpuWorkerCommand;
import io.baton.actors.worker.GpuWorkerState;
import io.baton.workers.agent.GpuReport;
import io.baton.actors.feed.FeedEvent;
import io.baton.orchestrator.feed.FeedPublisher;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.SingletonActor;

/**
 * Keeps the active pool full (DESIGN.md, "Capacity pool"): when an active GPU leaves rotation, a
 * live spare of the same model is promoted, preferably on another host. A repaired GPU comes back
 * as a spare (its agent's health check decides) and waits there, or is promoted if the pool is
 * still short.
 *
 * <p>It works on levels, not on events: the pool's size per model is the most GPUs it has seen
 * active at once (an operator's demote to the spare pool lowers it), and whenever fewer are
 * active, it promotes. Its view comes from the GpuWorker announcements and, because an
 * announcement to a paused or cut-off node is lost, from asking every known GpuWorker its state
 * every few seconds. It runs as a cluster singleton because two controllers would promote two
 * spares for one loss; its loss stops nothing that streams.
 */
public final class FleetController extends AbstractBehavior<FleetController.Command> {

  public sealed interface Command {}

  private record StateHeard(GpuWorkerState state) implements Command {}

  private record ReportHeard(GpuReport report) implements Command {}

  private record Refresh() implements Command {}

  private record PromoteAnswered(String model, String gpuId, GpuWorkerCommand.Reply reply, Throwable error)
      implements Command {}

  private static final String BY = "fleet-controller";
  private static final Duration ASK_TIMEOUT = Duration.ofSeconds(5);
  private final FleetTiming timing;

  private final Map<String, GpuWorkerState> fleet = new HashMap<>();
  private final Map<String, Instant> reportedAt = new HashMap<>();
  /** The active pool's size per model: the most GPUs seen active at once, less operators' demotes. */
  private final Map<String, Integer> poolSize = new HashMap<>();
  /** The host of the GPU that last left the active pool, per model: a spare elsewhere is preferred. */
  private final Map<String, String> lostHost = new HashMap<>();
  /**
   * The spare being promoted: no other promotion starts until its entity no longer says SPARE, or
   * until the promote patience passed (a lost answer, or a GPU that went back to SPARE, must not block
   * promotions for good: seen after a node pause in bench recovery).
   */
  private String promoting;
  private Instant promotingSince = Instant.EPOCH;
  private boolean shortWarned;
  private final FeedPublisher feed;
  /** The pool levels last put on the admin feed, per model: only a change is published. */
  private final Map<String, FeedEvent.PoolLevel> published = new HashMap<>();

  private FleetController(ActorContext<Command> context, TimerScheduler<Command> timers,
      ActorRef<Topic.Command<GpuWorkerState>> gpuStates, ActorRef<Topic.Command<GpuReport>> gpuReports,
      FleetTiming timing, FeedPublisher feed) {
    super(context);
    this.timing = timing;
    this.feed = feed;
    gpuStates.tell(Topic.subscribe(context.messageAdapter(GpuWorkerState.class, StateHeard::new)));
    gpuReports.tell(Topic.subscribe(context.messageAdapter(GpuReport.class, ReportHeard::new)));
    timers.startTimerWithFixedDelay(new Refresh(), timing.refreshEvery());
  }

  /** Starts the singleton (or a proxy to it) on this node. */
  public static ActorRef<Command> init(ActorSystem<?> system,
      ActorRef<Topic.Command<GpuWorkerState>> gpuStates, ActorRef<Topic.Command<GpuReport>> gpuReports,
      FleetTiming timing, FeedPublisher feed) {
    return ClusterSingleton.get(system).init(SingletonActor.of(
        Behaviors.<Command>supervise(Behaviors.setup(ctx -> Behaviors.<Command>withTimers(
                timers -> new FleetController(ctx, timers, gpuStates, gpuReports, timing, feed))))
            .onFailure(SupervisorStrategy.restart()),
        "fleet-controller"));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(StateHeard.class, m -> onState(m.state()))
        .onMessage(ReportHeard.class, this::onReport)
        .onMessage(Refresh.class, m -> refresh())
        .onMessage(PromoteAnswered.class, this::onPromoteAnswered)
        .build();
  }

  private Behavior<Command> onState(GpuWorkerState now) {
    if (now == null || now.gpu() == null) {
      return this;
    }
    GpuWorkerState before = fleet.put(now.workerId(), now);
    if (now.workerId().equals(promoting) && now.status() != GpuStatus.SPARE) {
      promoting = null;
    }
    String model = now.gpu().model();
    boolean wasActive = before != null && before.status() == GpuStatus.ACTIVE;
    boolean demoted = now.status() == GpuStatus.SPARE && now.lastChange() != null
        && now.lastChange().from() == GpuStatus.ACTIVE;
    if (wasActive && demoted) {
      // An operator's demote shrinks the pool on purpose: it is not replaced. A GPU that went
      // through suspect and a reset to spare between two looks is not a demote (its last change
      // says so) and is replaced.
      poolSize.merge(model, -1, Integer::sum);
    } else if (wasActive && now.status() != GpuStatus.ACTIVE) {
      lostHost.put(model, now.gpu().hostId());
      getContext().getLog().info("gpu {} left the active pool ({}: {})", now.workerId(), now.status(),
          now.lastChange() == null ? "" : now.lastChange().reason());
    }
    poolSize.merge(model, active(model), Math::max);
    publishLevel(model);
    promoteIfShort();
    return this;
  }

  private void publishLevel(String model) {
    int spares = (int) fleet.values().stream()
        .filter(g -> g.status() == GpuStatus.SPARE && g.gpu().model().equals(model)).count();
    FeedEvent.PoolLevel level = new FeedEvent.PoolLevel(model, poolSize.get(model), active(model), spares);
    if (!level.equals(published.put(model, level))) {
      feed.publish(level);
    }
  }

  /** Reports say which spares are alive, and name GPUs this controller has not heard of yet. */
  private Behavior<Command> onReport(ReportHeard m) {
    reportedAt.put(m.report().gpuId(), Instant.now());
    if (!fleet.containsKey(m.report().gpuId())) {
      ask(m.report().gpuId());
    }
    promoteIfShort();
    return this;
  }

  private Behavior<Command> refresh() {
    fleet.keySet().forEach(this::ask);
    return this;
  }

  private void ask(String gpuId) {
    getContext().ask(GpuWorkerState.class, ClusterSharding.get(getContext().getSystem())
            .entityRefFor(GpuWorker.ENTITY_KEY, gpuId), ASK_TIMEOUT, GpuWorkerCommand.GetState::new,
        (state, error) -> new StateHeard(state));
  }

  private int active(String model) {
    return (int) fleet.values().stream()
        .filter(g -> g.status() == GpuStatus.ACTIVE && g.gpu().model().equals(model)).count();
  }

  private boolean alive(GpuWorkerState gpu) {
    Instant at = reportedAt.get(gpu.workerId());
    return at != null && at.isAfter(Instant.now().minus(timing.reportStaleAfter()));
  }

  private void promoteIfShort() {
    if (promoting != null && promotingSince.isAfter(Instant.now().minus(timing.promotePatience()))) {
      return;
    }
    if (promoting != null) {
      getContext().getLog().warn("promotion of {} unconfirmed after {} s; counting the pool again", promoting,
          timing.promotePatience().toSeconds());
      promoting = null;
    }
    for (Map.Entry<String, Integer> pool : poolSize.entrySet()) {
      String model = pool.getKey();
      int missing = pool.getValue() - active(model);
      if (missing <= 0) {
        continue;
      }
      Optional<GpuWorkerState> spare = fleet.values().stream()
          .filter(g -> g.status() == GpuStatus.SPARE && g.gpu().model().equals(model) && alive(g))
          // Another host first: whatever took the lost GPU out may take its neighbours too.
          .min(Comparator.comparing((GpuWorkerState g) -> g.gpu().hostId().equals(lostHost.get(model)))
              .thenComparing(GpuWorkerState::workerId));
      if (spare.isEmpty()) {
        if (!shortWarned) {
          getContext().getLog().warn("the active {} pool is {} GPU(s) short and no live spare is free; it refills"
              + " when a repaired GPU returns as a spare (or add GPUs to the spare pool)", model, missing);
          shortWarned = true;
        }
        continue;
      }
      shortWarned = false;
      String gpuId = spare.get().workerId();
      promoting = gpuId;
      promotingSince = Instant.now();
      getContext().ask(GpuWorkerCommand.Reply.class,
          ClusterSharding.get(getContext().getSystem()).entityRefFor(GpuWorker.ENTITY_KEY, gpuId), ASK_TIMEOUT,
          r -> new GpuWorkerCommand.Promote(BY, "the active " + model + " pool was " + missing + " short", r),
          (reply, error) -> new PromoteAnswered(model, gpuId, reply, error));
      return;
    }
  }

  private Behavior<Command> onPromoteAnswered(PromoteAnswered m) {
    if (m.reply() instanceof GpuWorkerCommand.Accepted) {
      getContext().getLog().info("gpu {} promoted from the spare pool", m.gpuId());
    } else {
      getContext().getLog().warn("promoting {} failed: {}", m.gpuId(),
          m.reply() instanceof GpuWorkerCommand.Rejected r ? r.rejection() : m.error());
      promoting = null;
    }
    // Either way, the GPU's own state is the truth: ask it before counting it again.
    ask(m.gpuId());
    return this;
  }
}
