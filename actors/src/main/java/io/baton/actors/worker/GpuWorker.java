package io.baton.actors.worker;

import static io.baton.actors.Rejection.Reason.ALREADY_EXISTS;
import static io.baton.actors.Rejection.Reason.ILLEGAL_STATE;
import static io.baton.actors.Rejection.Reason.NOT_FOUND;

import io.baton.actors.ActorsSettings;
import io.baton.actors.Rejection;
import io.baton.actors.worker.GpuWorkerCommand.*;
import io.baton.actors.worker.GpuWorkerEvent.*;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReplyBuilder;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/**
 * One GPU: its registration, XIDs, cordons, drains, resets and returns to service. It is the
 * fleet's memory: after a full cluster restart Baton still knows which GPUs are out of rotation and
 * why. It records; the fleet controller decides (an XID is recorded with its class, not acted on).
 *
 * <p>Heartbeats are not journaled one by one: at a few per second per GPU they would dwarf every
 * other event and make recovery replay noise. Liveness is judged from memory; only the first
 * heartbeat after the GPU became suspect is journaled, because that one changes what the fleet
 * knows (the agent is back, so a health check can be scheduled) and must survive a restart.
 */
public final class GpuWorker
    extends EventSourcedBehaviorWithEnforcedReplies<GpuWorkerCommand, GpuWorkerEvent, GpuWorkerState> {

  public static final EntityTypeKey<GpuWorkerCommand> ENTITY_KEY =
      EntityTypeKey.create(GpuWorkerCommand.class, "GpuWorker");

  /** The cluster topic on which nodes announce every GPU's state (see {@link GpuWorkerHooks}). */
  public static final String STATE_TOPIC = "baton-gpu-states";

  private final String workerId;
  private final ActorsSettings settings;
  private final XidCatalog xids;
  /**
   * The latest heartbeat this instance saw; deliberately not journaled (see above). A restart after
   * a journal failure keeps this instance, and with it the value; only a new start of the entity
   * (passivation, rebalance, a crashed node) loses it, and then liveness is judged afresh from the
   * journaled {@code lastHeartbeatAt}.
   */
  private Instant lastSeen;
  private final GpuWorkerHooks hooks;

  private GpuWorker(String workerId, ActorsSettings settings, XidCatalog xids, GpuWorkerHooks hooks) {
    super(
        PersistenceId.of(ENTITY_KEY.name(), workerId),
        // Keep children on restart, as Session must for its topic: this instance (and anything it
        // spawns) outlives a journal-failure restart, so nothing would re-create a stopped child.
        SupervisorStrategy.restartWithBackoff(settings.journalBackoffMin(), settings.journalBackoffMax(), 0.2)
            .withStopChildren(false));
    this.workerId = workerId;
    this.settings = settings;
    this.xids = xids;
    this.hooks = hooks;
  }

  /**
   * Registers GPU workers with cluster sharding. No remember-entities: a worker has nothing to do
   * until its agent or the fleet controller writes to it, and its state is recovered then.
   */
  public static void init(ActorSystem<?> system, ActorsSettings settings, GpuWorkerHooks hooks) {
    ClusterSharding.get(system).init(Entity.of(ENTITY_KEY, ctx -> create(ctx.getEntityId(), settings, hooks)));
  }

  public static Behavior<GpuWorkerCommand> create(String workerId, ActorsSettings settings) {
    return create(workerId, settings, GpuWorkerHooks.NONE);
  }

  public static Behavior<GpuWorkerCommand> create(String workerId, ActorsSettings settings, GpuWorkerHooks hooks) {
    // setup runs once per start of the entity. The journal-failure supervision restarts only the
    // event-sourced behavior inside it, so this instance, lastSeen included, survives that restart.
    return Behaviors.setup(ctx -> new GpuWorker(workerId, settings, XidCatalog.standard(), hooks));
  }

  @Override
  public GpuWorkerState emptyState() {
    return GpuWorkerState.empty(workerId);
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(settings.snapshotEvery(), settings.keepSnapshots());
  }

  @Override
  public CommandHandlerWithReply<GpuWorkerCommand, GpuWorkerEvent, GpuWorkerState> commandHandler() {
    CommandHandlerWithReplyBuilder<GpuWorkerCommand, GpuWorkerEvent, GpuWorkerState> b =
        newCommandHandlerWithReplyBuilder();
    b.forAnyState()
        .onCommand(GetState.class, (s, c) -> Effect().reply(c.replyTo(), s.seenAt(lastSeen)));
    b.forState(s -> s.status() == GpuStatus.UNREGISTERED)
        .onCommand(Register.class, this::register)
        .onCommand(Mutation.class, c -> reject(c.replyTo(), NOT_FOUND, "no GPU worker " + workerId));
    b.forState(s -> s.status() == GpuStatus.RETIRED)
        // A node re-registers all its GPUs at every start: the same GPU is acknowledged as retired,
        // so one retired GPU does not stop the node. It stays retired and nothing is persisted.
        .onCommand(Register.class, this::reregister)
        .onCommand(Mutation.class, c -> reject(c.replyTo(), ILLEGAL_STATE, workerId + " is retired for good"));
    b.forAnyState()
        .onCommand(Register.class, this::reregister)
        .onCommand(Heartbeat.class, this::heartbeat)
        .onCommand(RecordXid.class, this::recordXid)
        .onCommand(ChangeStatus.class, this::change);
    return b.build();
  }

  private ReplyEffect<GpuWorkerEvent, GpuWorkerState> register(GpuWorkerState s, Register c) {
    Optional<Rejection> invalid = GpuWorkerRules.register(c);
    if (invalid.isPresent()) {
      return rejectWith(c.replyTo(), invalid.get());
    }
    return persist(List.of(new Registered(workerId, c.gpu(), c.pool(), c.by(), Instant.now())), c.replyTo());
  }

  /**
   * An agent re-registering after a restart is acknowledged with the status the GPU has, retired
   * included; another GPU under this id is refused.
   */
  private ReplyEffect<GpuWorkerEvent, GpuWorkerState> reregister(GpuWorkerState s, Register c) {
    if (s.gpu().equals(c.gpu())) {
      return Effect().reply(c.replyTo(), accepted(s));
    }
    return reject(c.replyTo(), ALREADY_EXISTS, workerId + " is registered as " + s.gpu());
  }

  private ReplyEffect<GpuWorkerEvent, GpuWorkerState> heartbeat(GpuWorkerState s, Heartbeat c) {
    Instant now = Instant.now();
    lastSeen = now;
    if (s.status() == GpuStatus.SUSPECT && !s.heartbeatSinceSuspect()) {
      // Still suspect: a live agent does not prove the GPU computes. An active health check does.
      return persist(List.of(new HeartbeatRecorded(now)), c.replyTo());
    }
    return Effect().reply(c.replyTo(), accepted(s));
  }

  /**
   * Every XID is recorded, repeats included: the agent reads each kernel log line once, and two
   * identical XIDs in a row are two faults.
   */
  private ReplyEffect<GpuWorkerEvent, GpuWorkerState> recordXid(GpuWorkerState s, RecordXid c) {
    Optional<Rejection> invalid = GpuWorkerRules.recordXid(c);
    if (invalid.isPresent()) {
      return rejectWith(c.replyTo(), invalid.get());
    }
    XidClass xidClass = xids.classify(c.code());
    return persist(List.of(new XidRecorded(c.code(), xidClass, c.detail(), c.by(), Instant.now())), c.replyTo());
  }

  private ReplyEffect<GpuWorkerEvent, GpuWorkerState> change(GpuWorkerState s, ChangeStatus c) {
    GpuWorkerRules.Plan plan = GpuWorkerRules.change(s, c);
    if (plan instanceof GpuWorkerRules.Reject r) {
      return rejectWith(c.replyTo(), r.rejection());
    }
    if (plan instanceof GpuWorkerRules.AlreadyDone) {
      return Effect().reply(c.replyTo(), accepted(s));
    }
    return persist(events(s, c, Instant.now()), c.replyTo());
  }

  private static List<GpuWorkerEvent> events(GpuWorkerState s, ChangeStatus c, Instant at) {
    if (c instanceof Cordon) {
      return List.of(new Cordoned(c.by(), c.reason(), at));
    } else if (c instanceof Uncordon) {
      return List.of(new ReturnedToService(c.by(), c.reason(), at));
    } else if (c instanceof Drain) {
      return List.of(new DrainStarted(c.by(), c.reason(), at));
    } else if (c instanceof MarkSuspect) {
      return List.of(new MarkedSuspect(c.by(), c.reason(), at));
    } else if (c instanceof StartReset) {
      return List.of(new ResetStarted(c.by(), c.reason(), at));
    } else if (c instanceof Promote) {
      return List.of(new Promoted(c.by(), c.reason(), at));
    } else if (c instanceof Demote) {
      return List.of(new Demoted(c.by(), c.reason(), at));
    } else if (c instanceof ReportResetFailed) {
      return List.of(new Retired(c.by(), "reset failed: " + c.reason(), at));
    } else if (c instanceof ReportHealthCheck h && h.passed()) {
      return List.of(new HealthCheckPassed(c.by(), c.reason(), at));
    } else if (c instanceof ReportHealthCheck) {
      HealthCheckFailed failed = new HealthCheckFailed(c.by(), c.reason(), at);
      if (!GpuWorkerRules.retires(s)) {
        return List.of(failed);
      }
      String why = GpuWorkerRules.HEALTH_FAILURES_TO_RETIRE + " consecutive failed health checks, the last: "
          + c.reason();
      return List.of(failed, new Retired(c.by(), why, at));
    }
    throw new IllegalArgumentException("unknown status change " + c.getClass().getName());
  }

  private ReplyEffect<GpuWorkerEvent, GpuWorkerState> persist(List<GpuWorkerEvent> events, ActorRef<Reply> replyTo) {
    return Effect().persist(events).thenRun(after -> {
      hooks.changed(after);
      hooks.recorded(events, after);
    }).thenReply(replyTo, GpuWorker::accepted);
  }

  private static Accepted accepted(GpuWorkerState s) {
    return new Accepted(s.status());
  }

  private ReplyEffect<GpuWorkerEvent, GpuWorkerState> reject(
      ActorRef<Reply> replyTo, Rejection.Reason reason, String detail) {
    return rejectWith(replyTo, Rejection.of(reason, detail));
  }

  private ReplyEffect<GpuWorkerEvent, GpuWorkerState> rejectWith(ActorRef<Reply> replyTo, Rejection rejection) {
    return Effect().reply(replyTo, new Rejected(rejection));
  }

  @Override
  public EventHandler<GpuWorkerState, GpuWorkerEvent> eventHandler() {
    return GpuWorkerState::apply;
  }

  @Override
  public SignalHandler<GpuWorkerState> signalHandler() {
    // A node that (re)starts learns where each known GPU stands as soon as its entity recovers.
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), s -> {
          if (s.status() != GpuStatus.UNREGISTERED) {
            hooks.changed(s);
          }
        })
        .build();
  }
}
