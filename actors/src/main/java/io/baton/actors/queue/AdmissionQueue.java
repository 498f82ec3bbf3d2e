package io.baton.actors.queue;

import io.baton.actors.queue.QueueCommand.LoadHeard;
import io.baton.actors.queue.QueueCommand.Leave;
import io.baton.actors.queue.QueueCommand.Tick;
import io.baton.actors.queue.QueueCommand.Wait;
import io.baton.actors.queue.QueueEvent.Admitted;
import io.baton.actors.queue.QueueEvent.Enqueued;
import io.baton.actors.queue.QueueEvent.Left;
import io.baton.actors.queue.QueueState.Waiter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToDoubleFunction;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * One model's cluster-wide admission queue (DESIGN.md, Placement): a sharded, event-sourced entity,
 * so it has one incarnation in the cluster, and its waiters and each tenant's attained service
 * survive the loss of any node (remember-entities starts it again elsewhere at once). It only
 * advises: it tells a waiting session that a GPU has room, and hints a batch session to give its
 * GPU to a waiting interactive one; each session decides for itself.
 *
 * <p>What it counts between reports (admitted sessions not yet seen running, preemptions not yet
 * seen through) lives in memory: a new incarnation starts from the next reports.
 */
public final class AdmissionQueue
    extends EventSourcedBehaviorWithEnforcedReplies<QueueCommand, QueueEvent, QueueState> {

  public static final EntityTypeKey<QueueCommand> ENTITY_KEY =
      EntityTypeKey.create(QueueCommand.class, "AdmissionQueue");

  private static final Duration RATE_WINDOW = Duration.ofMinutes(1);

  private final String model;
  private final QueueSettings settings;
  private final QueueHooks hooks;
  private final ToDoubleFunction<String> weightOf;
  private final Map<String, GpuLoad> loads = new HashMap<>();
  /** Admitted sessions not yet seen running: when, and the queued time they were admitted with. */
  private final Map<String, Admission> admitting = new HashMap<>();
  private final PreemptionsInFlight preempting = new PreemptionsInFlight();
  private final Deque<Instant> admissions = new ArrayDeque<>();
  private final Map<Integer, Long> preemptions = new HashMap<>();

  /**
   * @param stillWaiting the session said since that its placer had no place for it yet: an
   *     interactive one then needs a preemption as much as a waiter does
   */
  private record Admission(Instant at, Instant queuedAt, int rank, boolean stillWaiting) {}

  private AdmissionQueue(String model, QueueSettings settings, QueueHooks hooks, ToDoubleFunction<String> weightOf,
      ActorContext<QueueCommand> context) {
    super(PersistenceId.of(ENTITY_KEY.name(), model),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(4), 0.2));
    this.model = model;
    this.settings = settings;
    this.hooks = hooks;
    this.weightOf = weightOf;
    hooks.watchLoads(model, context, context.messageAdapter(GpuLoad.class, LoadHeard::new));
  }

  /** @param weightOf each tenant's configured weight */
  public static void init(ActorSystem<?> system, QueueSettings settings, QueueHooks hooks,
      ToDoubleFunction<String> weightOf) {
    ClusterSharding.get(system).init(Entity.of(ENTITY_KEY, ctx -> create(ctx.getEntityId(), settings, hooks, weightOf))
        .withSettings(ClusterShardingSettings.create(system).withRememberEntities(true)));
  }

  public static Behavior<QueueCommand> create(String model, QueueSettings settings, QueueHooks hooks,
      ToDoubleFunction<String> weightOf) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay(new Tick(), settings.tick());
      return new AdmissionQueue(model, settings, hooks, weightOf, ctx);
    }));
  }

  @Override
  public QueueState emptyState() {
    return QueueState.empty(model);
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(100, 2);
  }

  @Override
  public CommandHandlerWithReply<QueueCommand, QueueEvent, QueueState> commandHandler() {
    return newCommandHandlerWithReplyBuilder().forAnyState()
        .onCommand(Wait.class, this::onWait)
        .onCommand(Leave.class, (s, c) -> {
          // An admitted session leaves when it is placed: its place stays promised (in admitting)
          // until a report shows it running, or the admission times out; released now, the room
          // would count twice until the GPU's next report.
          return s.waiter(c.sessionId()).isPresent()
              ? settle(s, List.of(new Left(c.sessionId(), c.why(), Instant.now()))) : Effect().noReply();
        })
        .onCommand(LoadHeard.class, (s, c) -> {
          loads.put(c.load().gpuId(), c.load());
          Instant now = Instant.now();
          admitting.entrySet().removeIf(e -> {
            boolean running = c.load().runs(e.getKey());
            if (running && e.getValue().rank() == 0) {
              preempting.interactiveRunning();
            }
            return running;
          });
          preempting.heard(loads.values(), now);
          return settle(s, List.of());
        })
        .onCommand(Tick.class, (s, c) -> {
          Instant now = Instant.now();
          admitting.values().removeIf(a -> a.at().plus(settings.admitTimeout()).isBefore(now));
          preempting.expire(now, settings.admitTimeout());
          loads.values().removeIf(l -> l.at().plus(settings.staleAfter()).isBefore(now));
          hooks.publish(summary(s));
          return settle(s, List.of());
        })
        .build();
  }

  /**
   * A repeat that changes nothing writes nothing; one that does (now resuming) updates the entry.
   * A Wait from an admitted session with the same queued time either crossed its admission or says
   * it still waits for a place its placer can see: its admission stands, renewed. A later wait (its
   * grant was refused, it was preempted) queues it again.
   */
  private ReplyEffect<QueueEvent, QueueState> onWait(QueueState s, Wait c) {
    Admission admitted = admitting.get(c.sessionId());
    if (admitted != null && admitted.queuedAt().equals(c.queuedAt())) {
      // Admitted and not placed yet (no place free in its placer's view so far): it keeps its place.
      admitting.put(c.sessionId(), new Admission(Instant.now(), c.queuedAt(), c.rank(), true));
      return settle(s, List.of());
    }
    admitting.remove(c.sessionId()); // a new wait (its grant was refused, or it was preempted)
    Optional<Waiter> known = s.waiter(c.sessionId());
    if (known.isPresent() && known.get().resuming() == c.resuming() && known.get().rank() == c.rank()) {
      return settle(s, List.of());
    }
    return settle(s, List.of(new Enqueued(c.sessionId(), c.tenant(), weightOf.applyAsDouble(c.tenant()), c.rank(),
        c.cost(), c.resuming(), c.queuedAt(), Instant.now())));
  }

  /**
   * Writes {@code events}, with an admission of as many waiters as the GPUs have room for, in one
   * write, and tells each admitted session. With no room for an interactive waiter, preempts.
   */
  private ReplyEffect<QueueEvent, QueueState> settle(QueueState s, List<QueueEvent> events) {
    Instant now = Instant.now();
    QueueState after = s;
    for (QueueEvent e : events) {
      after = after.apply(e);
    }
    int room = room(now);
    List<String> admit = new ArrayList<>();
    QueueState probe = after;
    while (admit.size() < room) {
      Optional<Waiter> next = probe.next();
      if (next.isEmpty()) {
        break;
      }
      admit.add(next.get().sessionId());
      probe = probe.apply(new Admitted(List.of(next.get().sessionId()), now));
    }
    if (admit.size() >= room) {
      preemptFor(probe, now);
    }
    List<QueueEvent> all = new ArrayList<>(events);
    if (!admit.isEmpty()) {
      all.add(new Admitted(admit, now));
    }
    if (all.isEmpty()) {
      return Effect().noReply();
    }
    // Told before the write: the admission is the queue's advice, not the session's state, and the
    // write is only the charge. Lost with a crash in between, the session is merely not charged
    // (and, still a waiter in the journal, leaves the queue when it is placed).
    for (String id : admit) {
      admitting.put(id, new Admission(now, queuedAt(after, id), rank(after, id), false));
      admissions.addLast(now);
      hooks.admit(id);
    }
    return Effect().persist(all).thenRun(state -> hooks.publish(summary(state))).thenNoReply();
  }

  private static Instant queuedAt(QueueState s, String id) {
    return s.waiter(id).map(Waiter::queuedAt).orElse(Instant.EPOCH);
  }

  private static int rank(QueueState s, String id) {
    return s.waiter(id).map(Waiter::rank).orElse(Integer.MAX_VALUE);
  }

  /** Free places on fresh, active GPUs, less those already promised to admitted sessions. */
  private int room(Instant now) {
    int free = 0;
    for (GpuLoad l : loads.values()) {
      if (l.active() && !l.at().plus(settings.staleAfter()).isBefore(now)) {
        free += Math.max(0, l.free());
      }
    }
    return Math.max(0, free - admitting.size());
  }

  /**
   * An interactive waiter with no room takes the GPU of the lowest-class, most recently started
   * session that has run the minimum run time (so nothing thrashes, and its context is already
   * checkpointed), preferring one not preempted before; one preemption in flight per such waiter,
   * from the hint until an interactive session is seen running (or the admission timeout).
   */
  private void preemptFor(QueueState waiting, Instant now) {
    long need = waiting.waiters().stream().filter(w -> w.rank() == 0).count()
        + admitting.values().stream().filter(a -> a.rank() == 0 && a.stillWaiting()).count()
        - preempting.count();
    while (need-- > 0) {
      Optional<Map.Entry<GpuLoad, GpuLoad.Run>> victim = loads.values().stream()
          .filter(GpuLoad::active)
          .flatMap(l -> l.runs().stream().map(r -> Map.entry(l, r)))
          .filter(e -> e.getValue().rank() > 0 && !preempting.isVictim(e.getValue().sessionId())
              && !e.getValue().startedAt().plus(settings.minRunTime()).isAfter(now))
          .max(Comparator.<Map.Entry<GpuLoad, GpuLoad.Run>>comparingInt(e -> e.getValue().rank())
              .thenComparing(e -> !e.getValue().preemptedBefore())
              .thenComparing(e -> e.getValue().startedAt()));
      if (victim.isEmpty()) {
        return;
      }
      GpuLoad.Run run = victim.get().getValue();
      preempting.asked(run.sessionId(), now);
      preemptions.merge(run.rank(), 1L, Long::sum);
      hooks.preempt(run, victim.get().getKey().gpuId(), "an interactive request for " + model + " was waiting");
    }
  }

  QueueSummary summary(QueueState s) {
    Instant now = Instant.now();
    while (!admissions.isEmpty() && admissions.peekFirst().plus(RATE_WINDOW).isBefore(now)) {
      admissions.removeFirst();
    }
    // Over the window, or since the first admission in it when that is sooner: a burst after a quiet
    // spell is not diluted by the quiet.
    double seconds = admissions.isEmpty() ? 1
        : Math.max(1, Math.min(RATE_WINDOW.toMillis(), Duration.between(admissions.peekFirst(), now).toMillis()) / 1000.0);
    return QueueSummary.of(s, weightOf, admissions.size() / seconds, preemptions, room(now), now);
  }

  @Override
  public EventHandler<QueueState, QueueEvent> eventHandler() {
    return QueueState::apply;
  }

  @Override
  public SignalHandler<QueueState> signalHandler() {
    return newSignalHandlerBuilder().onSignal(RecoveryCompleted.instance(), s -> hooks.publish(summary(s))).build();
  }
}
