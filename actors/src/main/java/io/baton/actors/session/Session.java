package io.baton.actors.session;

import static io.baton.actors.Rejection.Reason.ALREADY_EXISTS;
import static io.baton.actors.Rejection.Reason.ALREADY_TERMINAL;
import static io.baton.actors.Rejection.Reason.INVALID_ARGUMENT;
import static io.baton.actors.Rejection.Reason.NOT_FOUND;

import io.baton.actors.ActorsSettings;
import io.baton.actors.Rejection;
import io.baton.actors.session.SessionCommand.*;
import io.baton.actors.session.SessionEvent.*;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.pubsub.Topic;
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

  /** How long an ended session stays in memory after recovery before it passivates itself. */
  private static final Duration TERMINAL_LINGER = Duration.ofSeconds(30);

  private final String sessionId;
  private final ActorsSettings settings;
  private final ActorContext<SessionCommand> context;
  private final ActorRef<Topic.Command<TokenUpdate>> topic;
  private final Optional<ActorRef<ClusterSharding.ShardCommand>> shard;
  private final SessionWatch watch;

  private Session(
      String sessionId,
      ActorsSettings settings,
      ActorContext<SessionCommand> context,
      TimerScheduler<SessionCommand> timers,
      SessionHooks hooks,
      Optional<ActorRef<ClusterSharding.ShardCommand>> shard) {
    super(
        PersistenceId.of(ENTITY_KEY.name(), sessionId),
        // Children survive the restart: the topic is spawned once, outside the restarted behavior.
        SupervisorStrategy.restartWithBackoff(settings.journalBackoffMin(), settings.journalBackoffMax(), 0.2)
            .withStopChildren(false));
    this.sessionId = sessionId;
    this.settings = settings;
    this.context = context;
    this.shard = shard;
    this.watch = new SessionWatch(timers, hooks, settings);
    this.topic = context.spawn(Topic.create(TokenUpdate.class, TokenUpdate.topicName(sessionId)), "tokens");
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
        .onCommand(PlacementDue.class, this::placementDue)
        .onCommand(ProgressDue.class, this::progressDue)
        .onCommand(IdleCheck.class, (s, c) -> {
          if (s.status() == SessionStatus.NEW || s.status().isTerminal()) {
            passivateAfter(Duration.ZERO);
          }
          return Effect().noReply();
        });
    b.forState(s -> s.status() == SessionStatus.NEW)
        .onCommand(Submit.class, this::submit)
        .onCommand(Mutation.class, c -> reject(c.replyTo(), NOT_FOUND, "no session " + sessionId));
    b.forState(s -> s.status().isTerminal())
        .onCommand(Submit.class, this::resubmit)
        .onCommand(Mutation.class, (s, c) -> reject(c.replyTo(), ALREADY_TERMINAL, "session is " + s.status()));
    b.forAnyState()
        .onCommand(Submit.class, this::resubmit)
        .onCommand(Place.class, this::place)
        .onCommand(AppendTokens.class, this::append)
        .onCommand(CheckpointKv.class, this::checkpoint)
        .onCommand(FailAttempt.class, this::failAttempt)
        .onCommand(Complete.class, (s, c) -> blank(c.finishReason())
            ? reject(c.replyTo(), INVALID_ARGUMENT, "a finish reason is required")
            : fenced(s, c.attempt(), c.replyTo(),
            () -> persist(new Completed(c.finishReason(), Usage.of(s), Instant.now()), c.replyTo())))
        .onCommand(Fail.class, c -> blank(c.error())
            ? reject(c.replyTo(), INVALID_ARGUMENT, "an error message is required")
            : persist(new Failed(c.error(), Instant.now()), c.replyTo()))
        .onCommand(Cancel.class, c -> blank(c.reason())
            ? reject(c.replyTo(), INVALID_ARGUMENT, "a cancel reason is required")
            : persist(new Cancelled(c.reason(), Instant.now()), c.replyTo()));
    return b.build();
  }

  private ReplyEffect<SessionEvent, SessionState> submit(SessionState s, Submit c) {
    Optional<String> invalid = c.spec() == null ? Optional.of("spec is required") : c.spec().invalidity();
    if (invalid.isPresent()) {
      return reject(c.replyTo(), INVALID_ARGUMENT, invalid.get());
    }
    return persist(new Submitted(sessionId, c.spec(), Instant.now()), c.replyTo());
  }

  /** A retried submission is acknowledged; a different spec under the same id is refused. */
  private ReplyEffect<SessionEvent, SessionState> resubmit(SessionState s, Submit c) {
    if (s.spec().equals(c.spec())) {
      return Effect().reply(c.replyTo(), Accepted.of(s));
    }
    return reject(c.replyTo(), ALREADY_EXISTS, "session " + sessionId + " exists with another spec");
  }

  private ReplyEffect<SessionEvent, SessionState> place(SessionState s, Place c) {
    return SessionRules.place(s, c)
        .map(r -> rejectWith(c.replyTo(), r))
        .orElseGet(() -> persist(
            new Placed(c.attempt(), c.workerId(), s.tokenCount(), c.method(), Instant.now()), c.replyTo()));
  }

  /**
   * A failed attempt sends the session back to pending, unless this was the second GPU the request
   * faulted with an application-class XID: then it is a poison request and ends here.
   */
  private ReplyEffect<SessionEvent, SessionState> failAttempt(SessionState s, FailAttempt c) {
    if (c.cause() == null || c.cause().kind() == null) {
      return reject(c.replyTo(), INVALID_ARGUMENT, "a failed attempt needs a cause");
    }
    return fenced(s, c.attempt(), c.replyTo(), () -> {
      Instant now = Instant.now();
      AttemptFailed failed = new AttemptFailed(c.attempt(), c.cause(), now);
      Optional<String> poison = SessionRules.poison(s, c.cause());
      if (poison.isPresent()) {
        context.getLog().warn("session {} failed: {}", sessionId, poison.get());
        return persist(List.of(failed, new Failed(poison.get(), now)), c.replyTo());
      }
      return persist(List.of(failed), c.replyTo());
    });
  }

  private ReplyEffect<SessionEvent, SessionState> placementDue(SessionState s, PlacementDue c) {
    watch.placementDue(s);
    return Effect().noReply();
  }

  /** The progress timer fired: unless the attempt moved on since, it failed (DESIGN.md, path 2). */
  private ReplyEffect<SessionEvent, SessionState> progressDue(SessionState s, ProgressDue c) {
    if (!s.status().isRunning() || s.attempt() != c.attempt()) {
      return Effect().noReply();
    }
    Attempt attempt = s.currentAttempt();
    String silent = "no token or checkpoint from " + attempt.workerId() + " for " + settings.progressTimeout().toMillis()
        + " ms";
    // After a recovery the worker may simply have died with its node; only a live silence blames the GPU.
    FailureCause cause = c.sinceRecovery()
        ? FailureCause.of(FailureCause.Kind.NODE_UNREACHABLE, silent + " since the session recovered")
        : FailureCause.of(FailureCause.Kind.PROGRESS_TIMEOUT, silent);
    context.getLog().warn("session {} attempt {}: {}", sessionId, c.attempt(), cause.detail());
    return Effect().persist(new AttemptFailed(c.attempt(), cause, Instant.now()))
        .thenRun(after -> {
          if (!c.sinceRecovery()) {
            watch.attemptTimedOut(s, attempt);
          }
          afterPersist(List.of(), after);
        })
        .thenNoReply();
  }

  private ReplyEffect<SessionEvent, SessionState> append(SessionState s, AppendTokens c) {
    SessionRules.AppendPlan plan = SessionRules.append(s, c);
    if (plan instanceof SessionRules.Reject r) {
      return rejectWith(c.replyTo(), r.rejection());
    }
    if (plan instanceof SessionRules.Persist p) {
      return persist(new TokensAppended(c.attempt(), p.fromIndex(), p.tokens(), Instant.now()), c.replyTo());
    }
    return Effect().reply(c.replyTo(), Accepted.of(s));
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

  private ReplyEffect<SessionEvent, SessionState> fenced(
      SessionState s, int attempt, ActorRef<Reply> replyTo,
      Supplier<ReplyEffect<SessionEvent, SessionState>> then) {
    return SessionRules.fence(s, attempt).map(r -> rejectWith(replyTo, r)).orElseGet(then);
  }

  private ReplyEffect<SessionEvent, SessionState> persist(SessionEvent event, ActorRef<Reply> replyTo) {
    return persist(List.of(event), replyTo);
  }

  /** Persists, then publishes (durable before visible), then replies. */
  private ReplyEffect<SessionEvent, SessionState> persist(List<SessionEvent> events, ActorRef<Reply> replyTo) {
    return Effect()
        .persist(events)
        .thenRun(after -> afterPersist(events, after))
        .thenReply(replyTo, Accepted::of);
  }

  /** Publishes new tokens, then arms what the new status needs: a placer, a progress watch, or nothing. */
  private void afterPersist(List<SessionEvent> events, SessionState after) {
    for (SessionEvent event : events) {
      if (event instanceof TokensAppended e) {
        topic.tell(Topic.publish(new TokenUpdate(sessionId, e.fromIndex(), e.tokens(), after.status(), null)));
      }
    }
    watch.follow(after, false);
    if (after.status().isTerminal()) {
      topic.tell(Topic.publish(TokenUpdate.of(after, after.tokenCount())));
      passivateAfter(Duration.ZERO);
    }
  }

  private void passivateAfter(Duration delay) {
    shard.ifPresent(s -> context.scheduleOnce(delay, s, new ClusterSharding.Passivate<>(context.getSelf())));
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
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
        .onSignal(RecoveryCompleted.instance(), s -> {
          if (s.status().isTerminal() || s.status() == SessionStatus.NEW) {
            // Remember-entities restarts entities until they passivate; an ended one need not stay,
            // and neither need one that a lookup of an unknown id created.
            shard.ifPresent(sh -> context.scheduleOnce(TERMINAL_LINGER, context.getSelf(), new IdleCheck()));
          } else {
            watch.follow(s, true);
          }
        })
        .build();
  }
}
