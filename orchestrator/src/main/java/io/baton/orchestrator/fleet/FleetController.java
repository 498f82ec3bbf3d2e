package io.baton.orchestrator.fleet;

import io.baton.actors.worker.GpuStatus;
import io.baton.actors.worker.GpuWorker;
import io.baton.actors.worker.GpuWorkerCommand;
import io.baton.actors.worker.GpuWorkerState;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.SingletonActor;

/**
 * Keeps the active pool full (DESIGN.md, "Capacity pool"): when an active GPU leaves rotation, a
 * spare of the same model is promoted, preferably on another host. A repaired GPU comes back as a
 * spare (its agent's health check decides) and waits there for the next failure.
 *
 * <p>It runs as a cluster singleton because two controllers would promote two spares for one loss.
 * Its loss stops nothing that streams: placement and failover work without it, and the singleton
 * restarts on another node, learning the fleet again from the GpuWorker announcements.
 */
public final class FleetController extends AbstractBehavior<FleetController.Command> {

  public sealed interface Command {}

  private record StateHeard(GpuWorkerState state) implements Command {}

  private record PromoteAnswered(String model, String gpuId, GpuWorkerCommand.Reply reply, Throwable error)
      implements Command {}

  private static final String BY = "fleet-controller";
  private static final Duration ASK_TIMEOUT = Duration.ofSeconds(5);

  private final Map<String, GpuWorkerState> fleet = new HashMap<>();
  /** Active GPUs lost per model and not yet replaced, because no spare was free at the time. */
  private final Map<String, Integer> deficit = new HashMap<>();
  private final Map<String, String> lostHost = new HashMap<>();
  private boolean promoting;

  private FleetController(ActorContext<Command> context, ActorRef<Topic.Command<GpuWorkerState>> gpuStates) {
    super(context);
    gpuStates.tell(Topic.subscribe(context.messageAdapter(GpuWorkerState.class, StateHeard::new)));
  }

  /** Starts the singleton (or a proxy to it) on this node. */
  public static ActorRef<Command> init(
      org.apache.pekko.actor.typed.ActorSystem<?> system, ActorRef<Topic.Command<GpuWorkerState>> gpuStates) {
    return ClusterSingleton.get(system).init(SingletonActor.of(
        Behaviors.<Command>supervise(Behaviors.setup(ctx -> new FleetController(ctx, gpuStates)))
            .onFailure(org.apache.pekko.actor.typed.SupervisorStrategy.restart()),
        "fleet-controller"));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(StateHeard.class, this::onState)
        .onMessage(PromoteAnswered.class, this::onPromoteAnswered)
        .build();
  }

  private Behavior<Command> onState(StateHeard m) {
    GpuWorkerState now = m.state();
    GpuWorkerState before = fleet.put(now.workerId(), now);
    boolean wasServing = before != null && (before.status() == GpuStatus.ACTIVE || before.status() == GpuStatus.DRAINING);
    if (wasServing && !now.status().isInRotation() && now.status() != GpuStatus.DRAINING) {
      String model = now.gpu().model();
      deficit.merge(model, 1, Integer::sum);
      lostHost.put(model, now.gpu().hostId());
      getContext().getLog().info("gpu {} left the active pool ({}: {}); replacing it from the spare pool",
          now.workerId(), now.status(), now.lastChange() == null ? "" : now.lastChange().reason());
    }
    promoteIfNeeded();
    return this;
  }

  private void promoteIfNeeded() {
    if (promoting) {
      return;
    }
    for (Map.Entry<String, Integer> need : deficit.entrySet()) {
      if (need.getValue() <= 0) {
        continue;
      }
      String model = need.getKey();
      Optional<GpuWorkerState> spare = fleet.values().stream()
          .filter(g -> g.status() == GpuStatus.SPARE && g.gpu().model().equals(model))
          // Another host first: whatever took the lost GPU out may take its neighbours too.
          .min(Comparator.comparing((GpuWorkerState g) -> g.gpu().hostId().equals(lostHost.get(model)))
              .thenComparing(GpuWorkerState::workerId));
      if (spare.isEmpty()) {
        getContext().getLog().warn("no spare {} GPU to replace {} lost active GPU(s); the active pool is short",
            model, need.getValue());
        continue;
      }
      promoting = true;
      String gpuId = spare.get().workerId();
      getContext().ask(GpuWorkerCommand.Reply.class,
          ClusterSharding.get(getContext().getSystem()).entityRefFor(GpuWorker.ENTITY_KEY, gpuId), ASK_TIMEOUT,
          r -> new GpuWorkerCommand.Promote(BY, "replaces an active " + model + " GPU that left rotation", r),
          (reply, error) -> new PromoteAnswered(model, gpuId, reply, error));
      return;
    }
  }

  private Behavior<Command> onPromoteAnswered(PromoteAnswered m) {
    promoting = false;
    if (m.reply() instanceof GpuWorkerCommand.Accepted) {
      deficit.merge(m.model(), -1, Integer::sum);
      // Until it announces itself as active, it must not count as a free spare.
      fleet.remove(m.gpuId());
      getContext().getLog().info("gpu {} promoted from the spare pool", m.gpuId());
    } else {
      getContext().getLog().warn("promoting {} failed: {}", m.gpuId(),
          m.reply() instanceof GpuWorkerCommand.Rejected r ? r.rejection() : m.error());
      // Forget the stale view of that GPU; its next announcement brings it back.
      fleet.remove(m.gpuId());
    }
    promoteIfNeeded();
    return this;
  }
}
