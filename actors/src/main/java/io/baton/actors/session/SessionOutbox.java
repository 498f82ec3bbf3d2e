package io.baton.actors.session;

import io.baton.actors.session.SessionCommand.IdleCheck;
import io.baton.actors.session.SessionEvent.TokensAppended;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * What a session does once its state has changed or been recovered, kept out of the entity so it
 * reads as its invariants: it publishes new tokens on the session's topic only after they are
 * persisted (durable before visible), arms its {@link SessionWatch}, and passivates an ended session.
 */
final class SessionOutbox {
  /** How long an ended session stays in memory after recovery before it passivates itself. */
  private static final Duration TERMINAL_LINGER = Duration.ofSeconds(30);

  private final String sessionId;
  private final ActorContext<SessionCommand> context;
  private final ActorRef<Topic.Command<TokenUpdate>> topic;
  private final Optional<ActorRef<ClusterSharding.ShardCommand>> shard;
  private final SessionWatch watch;

  SessionOutbox(String sessionId, ActorContext<SessionCommand> context,
      Optional<ActorRef<ClusterSharding.ShardCommand>> shard, SessionWatch watch) {
    this.sessionId = sessionId;
    this.context = context;
    this.shard = shard;
    this.watch = watch;
    this.topic = context.spawn(Topic.create(TokenUpdate.class, TokenUpdate.topicName(sessionId)), "tokens");
  }

  /** Publishes new tokens, then arms what the new status needs: a placer, a progress watch, or nothing. */
  void persisted(List<SessionEvent> events, SessionState after) {
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

  void recovered(SessionState s) {
    if (s.status().isTerminal() || s.status() == SessionStatus.NEW) {
      // Remember-entities restarts entities until they passivate; an ended one need not stay,
      // and neither need one that a lookup of an unknown id created.
      shard.ifPresent(sh -> context.scheduleOnce(TERMINAL_LINGER, context.getSelf(), new IdleCheck()));
    } else {
      watch.follow(s, true);
    }
  }

  /** The linger after recovery is over: passivates unless the session came back to life meanwhile. */
  void idleCheck(SessionState s) {
    if (s.status() == SessionStatus.NEW || s.status().isTerminal()) {
      passivateAfter(Duration.ZERO);
    }
  }

  private void passivateAfter(Duration delay) {
    shard.ifPresent(s -> context.scheduleOnce(delay, s, new ClusterSharding.Passivate<>(context.getSelf())));
  }
}
