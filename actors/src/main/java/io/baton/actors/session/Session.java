package io.baton.actors.session;

import static io.baton.actors.Rejection.Reason.ALREADY_EXISTS;
import static io.baton.actors.Rejection.Reason.ALREADY_TERMINAL;
import static io.baton.actors.Rejection.Reason.NOT_FOUND;

import io.baton.actors.ActorsSettings;
import io.baton.actors.Rejection;
import io.baton.actors.session.SessionCommand.*;
import io.baton.actors.session.SessionEvent.*;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;
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
 * One inference session: its spec, its attempts on GPUs and every durable token. Invariants
 * (DESIGN.md): fencing by attempt, contiguous chunks with idempotent retries, durable before
 * visible, and exactly one terminal event. The checks live in {@link SessionRules}.
 */
public final class Session
    extends EventSourcedBehaviorWithEnforcedReplies<SessionCommand, SessionEvent, SessionState> {

  public static final EntityTypeKey<SessionCommand> ENTITY_KEY =
      EntityTypeKey.create(SessionCommand.class, "Session");

  private final String sessionId;
  private final ActorsSettings settings;
  private final ActorContext<SessionCommand> context;
  private final SessionWatch watch;
  private final SessionOutbox outbox;
  private final SessionAttempts attempts;
  private final SessionSubmission submission;
  private final SessionQueueing queueing;

  private Session(
      String sessionId,
      ActorsSettings settings,
      ActorContext<SessionCommand> context,
      TimerScheduler<SessionCommand> timers,
      SessionHooks hooks,
      Optional<ActorRef<ClusterSharding.ShardCommand>> shard) {
    super(
        PersistenceId.of(ENTITY_KEY.name(), sessionId),
        SupervisorStrategy.restartWithBackoff(settings.journalBackoffMin(), settings.journalBackoffMax(), 0.2));
    this.sessionId = sessionId;
    this.settings = settings;
    this.context = context;
    this.queueing = new SessionQueueing(hooks, context.getSelf());
    this.watch = new SessionWatch(timers, hooks, settings, context.getSelf(), queueing);
    this.outbox = new SessionOutbox(sessionId, context, shard, watch, queueing, hooks);
    this.attempts = new SessionAttempts(Effect(), outbox, watch, queueing, settings, context.getLog());
    this.submission = new SessionSubmission(sessionId, Effect(), hooks, watch, outbox, attempts, queueing);
  }

  /**
   * Registers sessions with cluster sharding. Remember-entities brings a running session back
   * after its node crashed, without waiting for a message; ended sessions passivate themselves, so
   * the remembered set holds only live ones.
   */
  public static void init(ActorSystem<?> system, ActorsSettings settings, SessionHooks hooks) {
    ClusterSharding.get(system).init(
        Entity.of(ENTITY_KEY, ctx -> create(ctx.getEntityId(), settings, hooks, Optional.of(ctx.getShard())))
            .withSettings(ClusterShardingSettings.create(system).withRememberEntities(true)));
  }

  /** The entity outside sharding, as unit tests run it. */
  public static Behavior<SessionCommand> create(String sessionId, ActorsSettings settings) {
    return create(sessionId, settings, SessionHooks.NONE, Optional.empty());
  }

  public static Behavior<SessionCommand> create(
      String sessionId, ActorsSettings settings, SessionHooks hooks,
      Optional<ActorRef<ClusterSharding.ShardCommand>> shard) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(
        timers -> new Session(sessionId, settings, ctx, timers, hooks, shard)));
  }

  @Override
  public SessionState emptyState() {
    return SessionState.empty(sessionId);
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(settings.snapshotEvery(), settings.keepSnapshots());
  }

  @Override
  public CommandHandlerWithReply<SessionCommand, SessionEvent, SessionState> commandHandler() {
    CommandHandlerWithReplyBuilder<SessionCommand, SessionEvent, SessionState> b = newCommandHandlerWithReplyBuilder();
    b.forAnyState()
        .onCommand(GetState.class, (s, c) -> Effect().reply(c.replyTo(), s))
        .onCommand(GetTokens.class, (s, c) -> Effect().reply(c.replyTo(), TokenUpdate.of(s, c.fromIndex())))
        .onCommand(Subscribe.class, this::subscribe)
        .onCommand(FollowerGone.class, c -> {
          outbox.unsubscribe(c.follower());
          return Effect().noReply();
        })
        .onCommand(PlacementDue.class, (s, c) -> {
          watch.placementDue(s);
          return Effect().noReply();
        })
        .onCommand(IdleCheck.class, (s, c) -> {
          outbox.idleCheck(s);
          return Effect().noReply();
        })
        .onCommand(OfferDue.class, (s, c) -> submission.offered(s, List.of(), false))
        .onCommand(Offer.class, (s, c) -> submission.awaitsOffer() && c.attempt() == 1
            ? submission.offered(s, c.candidates(), true) : attempts.offer(s, c))
        .onCommand(Admit.class, (s, c) -> {
          queueing.admit(s);
          return Effect().noReply();
        })
        .onCommand(GrantRefused.class, attempts::refused)
        .onCommand(Heartbeat.class, attempts::heartbeat)
        .onCommand(Hint.class, attempts::hint)
        .onCommand(LeaseDue.class, attempts::leaseDue)
        .onCommand(Erase.class, this::erase);
    b.forState(s -> s.status() == SessionStatus.NEW)
        .onCommand(Submit.class, (s, c) -> unless(SessionInputs.submit(c), c.replyTo(), () -> submission.submit(s, c)))
        .onCommand(Mutation.class, c -> reject(c.replyTo(), NOT_FOUND, "no session " + sessionId));
    b.forState(s -> s.status().isTerminal())
        .onCommand(Submit.class, this::resubmit)
        .onCommand(Mutation.class, (s, c) -> reject(c.replyTo(), ALREADY_TERMINAL, "session is " + s.status()));
    b.forAnyState()
        .onCommand(Submit.class, this::resubmit)
        .onCommand(Place.class, this::place)
        .onCommand(AppendTokens.class, this::append)
        .onCommand(CheckpointKv.class, this::checkpoint)
        .onCommand(FailAttempt.class, attempts::failAttempt)
        .onCommand(Complete.class, (s, c) -> unless(SessionInputs.required(c.finishReason(), "a finish reason"),
            c.replyTo(), () -> unless(SessionRules.fence(s, c.attempt()), c.replyTo(),
                () -> persist(new Completed(c.finishReason(), Usage.of(s), Instant.now()), c.replyTo()))))
        .onCommand(Fail.class, c -> unless(SessionInputs.required(c.error(), "an error message"), c.replyTo(),
            () -> persist(new Failed(c.error(), Instant.now()), c.replyTo())))
        .onCommand(Cancel.class, c -> unless(SessionInputs.required(c.reason(), "a cancel reason"), c.replyTo(),
            () -> persist(new Cancelled(c.reason(), Instant.now()), c.replyTo())));
    return b.build();
  }

  /** The tokens so far, then every chunk as it is persisted; an unknown or ended session only answers. */
  private ReplyEffect<SessionEvent, SessionState> subscribe(SessionState s, Subscribe c) {
    if (s.status() != SessionStatus.NEW) {
      outbox.subscribe(c.follower(), s);
    }
    return Effect().reply(c.replyTo(), new Subscribed(TokenUpdate.of(s, c.fromIndex()), self()));
  }

  /** A retried submission is acknowledged; a different spec under the same id is refused. */
  private ReplyEffect<SessionEvent, SessionState> resubmit(SessionState s, Submit c) {
    if (s.spec().sameWork(c.spec())) {
      return Effect().reply(c.replyTo(), Accepted.of(s));
    }
    return reject(c.replyTo(), ALREADY_EXISTS, "session " + sessionId + " exists with another spec");
  }

  private ReplyEffect<SessionEvent, SessionState> place(SessionState s, Place c) {
    return unless(SessionRules.place(s, c), c.replyTo(), () -> persist(
        new Placed(c.attempt(), c.workerId(), s.tokenCount(), c.method(), Instant.now()), c.replyTo()));
  }

  private ReplyEffect<SessionEvent, SessionState> append(SessionState s, AppendTokens c) {
    SessionRules.AppendPlan plan = SessionRules.append(s, c);
    if (plan instanceof SessionRules.Reject r) {
      return rejectWith(c.replyTo(), r.rejection());
    }
    if (plan instanceof SessionRules.Persist p) {
      return persist(new TokensAppended(c.attempt(), p.fromIndex(), p.tokens(), Instant.now(), c.reusedTokens()),
          c.replyTo());
    }
    return Effect().reply(c.replyTo(), Accepted.of(s));
  }

  /** A running session is cancelled in the same write, so it never runs on unseen. */
  private ReplyEffect<SessionEvent, SessionState> erase(SessionState s, Erase c) {
    if (s.status() == SessionStatus.NEW) {
      return reject(c.replyTo(), NOT_FOUND, "no session " + sessionId);
    }
    if (s.erased()) {
      return Effect().reply(c.replyTo(), Accepted.of(s));
    }
    Erased erased = new Erased(c.reason(), Instant.now());
    return unless(SessionInputs.required(c.reason(), "a reason"), c.replyTo(), () -> persist(s.status().isTerminal()
        ? List.of(erased) : List.of(new Cancelled(c.reason(), erased.at()), erased), c.replyTo()));
  }

  private ReplyEffect<SessionEvent, SessionState> checkpoint(SessionState s, CheckpointKv c) {
    Optional<Rejection> rejection = SessionRules.checkpoint(s, c);
    if (rejection.isPresent()) {
      return rejectWith(c.replyTo(), rejection.get());
    }
    if (c.uptoToken() <= s.checkpointUpto()) {
      return Effect().reply(c.replyTo(), Accepted.of(s));
    }
    return persist(new KvCheckpointed(c.attempt(), c.uptoToken(), c.blockHashes(), Instant.now()), c.replyTo());
  }

  private ActorRef<SessionCommand> self() {
    return context.getSelf();
  }

  /** Replies with {@code rejection} when there is one, and only otherwise goes on with {@code then}. */
  private ReplyEffect<SessionEvent, SessionState> unless(Optional<Rejection> rejection, ActorRef<Reply> replyTo,
      Supplier<ReplyEffect<SessionEvent, SessionState>> then) {
    return rejection.map(r -> rejectWith(replyTo, r)).orElseGet(then);
  }

  private ReplyEffect<SessionEvent, SessionState> persist(SessionEvent event, ActorRef<Reply> replyTo) {
    return persist(List.of(event), replyTo);
  }

  /** Persists, then publishes (durable before visible), then replies. */
  private ReplyEffect<SessionEvent, SessionState> persist(List<SessionEvent> events, ActorRef<Reply> replyTo) {
    return Effect()
        .persist(events)
        .thenRun(after -> outbox.persisted(events, after))
        .thenReply(replyTo, Accepted::of);
  }

  private ReplyEffect<SessionEvent, SessionState> reject(ActorRef<Reply> replyTo, Rejection.Reason reason, String detail) {
    return rejectWith(replyTo, Rejection.of(reason, detail));
  }

  private ReplyEffect<SessionEvent, SessionState> rejectWith(ActorRef<Reply> replyTo, Rejection rejection) {
    return Effect().reply(replyTo, new Rejected(rejection));
  }

  @Override
  public EventHandler<SessionState, SessionEvent> eventHandler() {
    return SessionState::apply;
  }

  @Override
  public SignalHandler<SessionState> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), outbox::recovered)
        .onSignal(PostStop.instance(), s -> watch.stopped(sessionId))
        .build();
  }
}
