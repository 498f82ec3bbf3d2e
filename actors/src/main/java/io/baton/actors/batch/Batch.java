package io.baton.actors.batch;

import static io.baton.actors.Rejection.Reason.ALREADY_EXISTS;
import static io.baton.actors.Rejection.Reason.ALREADY_TERMINAL;
import static io.baton.actors.Rejection.Reason.ILLEGAL_STATE;
import static io.baton.actors.Rejection.Reason.NOT_FOUND;

import io.baton.actors.ActorsSettings;
import io.baton.actors.Rejection;
import io.baton.actors.batch.BatchCommand.*;
import io.baton.actors.batch.BatchEvent.*;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReplyBuilder;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * One OpenAI batch: its input, its progress line by line, and its one outcome. The API creates and
 * cancels it; a batch driver validates the input, runs each line as a session and reports back. The
 * checks live in {@link BatchRules}; the lifecycle is drawn on {@link BatchStatus}.
 */
public final class Batch extends EventSourcedBehaviorWithEnforcedReplies<BatchCommand, BatchEvent, BatchState> {

  public static final EntityTypeKey<BatchCommand> ENTITY_KEY = EntityTypeKey.create(BatchCommand.class, "Batch");
  /** The most requests one batch may hold, as OpenAI allows. */
  public static final int MAX_REQUESTS = BatchRules.MAX_REQUESTS;

  /** How long an ended batch stays in memory after recovery before it passivates itself. */
  private static final Duration TERMINAL_LINGER = Duration.ofSeconds(30);

  private final String batchId;
  private final ActorsSettings settings;
  private final Clock clock;
  private final ActorContext<BatchCommand> context;
  private final Optional<ActorRef<ClusterSharding.ShardCommand>> shard;
  private final BatchHooks hooks;

  private Batch(
      String batchId, ActorsSettings settings, Clock clock, ActorContext<BatchCommand> context,
      Optional<ActorRef<ClusterSharding.ShardCommand>> shard, BatchHooks hooks) {
    super(
        PersistenceId.of(ENTITY_KEY.name(), batchId),
        // Keep children on restart, as Session must for its topic: this instance outlives a
        // journal-failure restart, so nothing would re-create a child that the restart stopped.
        SupervisorStrategy.restartWithBackoff(settings.journalBackoffMin(), settings.journalBackoffMax(), 0.2)
            .withStopChildren(false));
    this.batchId = batchId;
    this.settings = settings;
    this.clock = clock;
    this.context = context;
    this.shard = shard;
    this.hooks = hooks;
  }

  /**
   * Remember-entities: an unfinished batch comes back after its node crashed, and its recovery
   * asks for a driver again, so the batch continues where it stopped.
   */
  public static void init(ActorSystem<?> system, ActorsSettings settings, BatchHooks hooks) {
    ClusterSharding.get(system).init(Entity.of(ENTITY_KEY,
            ctx -> create(ctx.getEntityId(), settings, Clock.systemUTC(), Optional.of(ctx.getShard()), hooks))
        .withSettings(org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings.create(system)
            .withRememberEntities(true)));
  }

  /** The entity outside sharding, as unit tests run it. */
  public static Behavior<BatchCommand> create(String batchId, ActorsSettings settings) {
    return create(batchId, settings, Clock.systemUTC(), Optional.empty(), BatchHooks.NONE);
  }

  /** @param clock stamps events and decides expiry; tests pass one they can move past the window */
  public static Behavior<BatchCommand> create(
      String batchId, ActorsSettings settings, Clock clock, Optional<ActorRef<ClusterSharding.ShardCommand>> shard) {
    return create(batchId, settings, clock, shard, BatchHooks.NONE);
  }

  public static Behavior<BatchCommand> create(
      String batchId, ActorsSettings settings, Clock clock, Optional<ActorRef<ClusterSharding.ShardCommand>> shard,
      BatchHooks hooks) {
    return Behaviors.setup(ctx -> new Batch(batchId, settings, clock, ctx, shard, hooks));
  }

  @Override
  public BatchState emptyState() {
    return BatchState.empty(batchId);
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(settings.snapshotEvery(), settings.keepSnapshots());
  }

  @Override
  public CommandHandlerWithReply<BatchCommand, BatchEvent, BatchState> commandHandler() {
    // Pekko uses the first block whose state matches and that handles the command, so the specific
    // states come first and the last block turns everything else into ILLEGAL_STATE.
    CommandHandlerWithReplyBuilder<BatchCommand, BatchEvent, BatchState> b = newCommandHandlerWithReplyBuilder();
    b.forAnyState().onCommand(GetState.class, (s, c) -> Effect().reply(c.replyTo(), s));
    b.forState(s -> s.status() == BatchStatus.NEW)
        .onCommand(Create.class, this::createNew)
        .onCommand(Mutation.class, c -> reject(c.replyTo(), NOT_FOUND, "no batch " + batchId));
    b.forState(s -> s.status().isTerminal())
        .onCommand(Create.class, this::recreate)
        .onCommand(Mutation.class, (s, c) ->
            reject(c.replyTo(), ALREADY_TERMINAL, "batch is " + s.status().wireName()));
    b.forState(s -> s.status() == BatchStatus.VALIDATING)
        .onCommand(MarkValidated.class, c -> check(BatchRules.validated(c.totalRequests()), c.replyTo(),
            () -> new InputValidated(c.totalRequests(), c.errors(), now())))
        .onCommand(Fail.class, c -> check(BatchRules.fail(c.errors()), c.replyTo(),
            () -> new ValidationFailed(c.errors(), now())))
        .onCommand(Cancel.class, c -> persist(new CancellationRequested(c.reason(), now()), c.replyTo()))
        .onCommand(Expire.class, this::expire);
    b.forState(s -> s.status() == BatchStatus.IN_PROGRESS)
        .onCommand(Finalize.class, (s, c) -> check(BatchRules.finalizing(s), c.replyTo(),
            () -> new FinalizingStarted(now())))
        .onCommand(Cancel.class, c -> persist(new CancellationRequested(c.reason(), now()), c.replyTo()))
        .onCommand(Expire.class, this::expire);
    b.forState(s -> s.status() == BatchStatus.FINALIZING)
        .onCommand(Finalize.class, (s, c) -> Effect().reply(c.replyTo(), accepted(s)))
        .onCommand(Complete.class, (s, c) -> check(BatchRules.outputs(s, c.outputFileId(), c.errorFileId()),
            c.replyTo(), () -> new Completed(c.outputFileId(), c.errorFileId(), now())));
    b.forState(s -> s.status() == BatchStatus.CANCELLING)
        .onCommand(Cancel.class, (s, c) -> Effect().reply(c.replyTo(), accepted(s)))
        .onCommand(Complete.class, (s, c) -> check(BatchRules.outputs(s, c.outputFileId(), c.errorFileId()),
            c.replyTo(), () -> new Cancelled(c.outputFileId(), c.errorFileId(), now())));
    // Only in_progress, finalizing and cancelling get here. Requests in flight when a cancel came
    // still finish and count; a finalizing batch only sees resent reports, acknowledged as such.
    b.forState(s -> s.status() != BatchStatus.VALIDATING)
        .onCommand(ReportRequests.class, this::report)
        .onCommand(Fail.class, c -> check(BatchRules.fail(c.errors()), c.replyTo(),
            () -> new Failed(c.errors(), now())));
    b.forAnyState()
        .onCommand(Create.class, this::recreate)
        .onCommand(Mutation.class, (s, c) -> reject(c.replyTo(), ILLEGAL_STATE,
            c.getClass().getSimpleName() + " is not allowed while the batch is " + s.status().wireName()));
    return b.build();
  }

  private ReplyEffect<BatchEvent, BatchState> createNew(BatchState s, Create c) {
    Instant at = now();
    return check(BatchRules.create(c), c.replyTo(), () -> new Created(
        batchId, c.inputFileId(), c.endpoint(), c.completionWindow(), c.metadata(), at,
        at.plus(BatchRules.COMPLETION_WINDOWS.get(c.completionWindow())), c.tenant()));
  }

  /** A retried creation is acknowledged; different content under the same id is refused. */
  private ReplyEffect<BatchEvent, BatchState> recreate(BatchState s, Create c) {
    if (BatchRules.sameCreation(s, c)) {
      return Effect().reply(c.replyTo(), accepted(s));
    }
    return reject(c.replyTo(), ALREADY_EXISTS, "batch " + batchId + " exists with other content");
  }

  private ReplyEffect<BatchEvent, BatchState> report(BatchState s, ReportRequests c) {
    BatchRules.ReportPlan plan = BatchRules.report(s, c);
    if (plan instanceof BatchRules.Reject r) {
      return rejectWith(c.replyTo(), r.rejection());
    }
    if (plan instanceof BatchRules.Persist p) {
      return persist(new RequestsFinished(p.succeeded(), p.failed(), now()), c.replyTo());
    }
    return Effect().reply(c.replyTo(), accepted(s));
  }

  private ReplyEffect<BatchEvent, BatchState> expire(BatchState s, Expire c) {
    Instant at = now();
    Optional<Rejection> rejection =
        BatchRules.expire(s, at).or(() -> BatchRules.outputs(s, c.outputFileId(), c.errorFileId()));
    return check(rejection, c.replyTo(), () -> new Expired(c.outputFileId(), c.errorFileId(), at));
  }

  /** Rejects when a rule was broken, otherwise persists the event the supplier builds. */
  private ReplyEffect<BatchEvent, BatchState> check(
      Optional<Rejection> rejection, ActorRef<Reply> replyTo, Supplier<BatchEvent> event) {
    return rejection.map(r -> rejectWith(replyTo, r)).orElseGet(() -> persist(event.get(), replyTo));
  }

  private ReplyEffect<BatchEvent, BatchState> persist(BatchEvent event, ActorRef<Reply> replyTo) {
    return Effect()
        .persist(event)
        .thenRun(after -> {
          hooks.recorded(event, after);
          if (after.status().isTerminal()) {
            passivateAfter(Duration.ZERO);
          } else {
            hooks.needsDriving(after);
          }
        })
        .thenReply(replyTo, Batch::accepted);
  }

  private void passivateAfter(Duration delay) {
    shard.ifPresent(s -> context.scheduleOnce(delay, s, new ClusterSharding.Passivate<>(context.getSelf())));
  }

  private Instant now() {
    return clock.instant();
  }

  private static Accepted accepted(BatchState s) {
    return new Accepted(s.status(), s.requestCounts());
  }

  private ReplyEffect<BatchEvent, BatchState> reject(ActorRef<Reply> replyTo, Rejection.Reason reason, String detail) {
    return rejectWith(replyTo, Rejection.of(reason, detail));
  }

  private ReplyEffect<BatchEvent, BatchState> rejectWith(ActorRef<Reply> replyTo, Rejection rejection) {
    return Effect().reply(replyTo, new Rejected(rejection));
  }

  @Override
  public EventHandler<BatchState, BatchEvent> eventHandler() {
    return BatchState::apply;
  }

  @Override
  public SignalHandler<BatchState> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), s -> {
          if (s.status().isTerminal()) {
            // Batches do not use remember-entities: an ended batch is only woken by a query or a
            // retried command, and need not stay in memory after answering it.
            passivateAfter(TERMINAL_LINGER);
          } else if (s.status() != BatchStatus.NEW) {
            hooks.needsDriving(s);
          }
        })
        .build();
  }
}
