package io.baton.actors.session;

import io.baton.actors.session.SessionCommand.Candidate;
import io.baton.actors.session.SessionCommand.FollowerGone;
import io.baton.actors.session.SessionCommand.IdleCheck;
import io.baton.actors.session.SessionEvent.Placed;
import io.baton.actors.session.SessionEvent.TokensAppended;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * What a session does once its state has changed or been recovered, kept out of the entity so it
 * reads as its invariants: it sends new tokens to its followers only after they are persisted
 * (durable before visible), grants a recorded placement to the GPU's agent, arms its
 * {@link SessionWatch}, and passivates an ended session.
 *
 * <p>Followers and the offered candidates not yet tried live only in memory: a follower whose
 * entity restarts subscribes again, and a session that lost its candidates asks its placer again.
 */
final class SessionOutbox {
  /** How long an ended session stays in memory after recovery before it passivates itself. */
  private static final Duration TERMINAL_LINGER = Duration.ofSeconds(30);

  private final String sessionId;
  private final ActorContext<SessionCommand> context;
  private final Optional<ActorRef<ClusterSharding.ShardCommand>> shard;
  private final SessionWatch watch;
  private final SessionQueueing queueing;
  private final SessionHooks hooks;
  private final Set<ActorRef<TokenUpdate>> followers = new HashSet<>();
  /** Where each recorded placement's grant goes, by GPU, and the candidates left for a refusal. */
  private List<Candidate> offered = List.of();

  SessionOutbox(String sessionId, ActorContext<SessionCommand> context,
      Optional<ActorRef<ClusterSharding.ShardCommand>> shard, SessionWatch watch, SessionQueueing queueing,
      SessionHooks hooks) {
    this.queueing = queueing;
    this.hooks = hooks;
    this.sessionId = sessionId;
    this.context = context;
    this.shard = shard;
    this.watch = watch;
  }

  /** Candidates an offer brought; the first is the one the session places on. */
  void offered(List<Candidate> candidates) {
    offered = List.copyOf(candidates);
  }

  /** The next candidate after {@code gpuId} refused, if the offer had one left. */
  Optional<Candidate> nextAfter(String gpuId) {
    List<Candidate> rest = offered.stream().filter(c -> !c.gpuId().equals(gpuId)).toList();
    offered = rest;
    return rest.stream().findFirst();
  }

  /** Delivers new tokens, grants a new placement, then arms what the new status needs. */
  void persisted(List<SessionEvent> events, SessionState after) {
    queueing.persisted(events, after);
    hooks.recorded(events, after);
    boolean placed = false;
    for (SessionEvent event : events) {
      if (event instanceof TokensAppended e) {
        deliver(new TokenUpdate(sessionId, e.fromIndex(), e.tokens(), after.status(), null));
      } else if (event instanceof Placed p) {
        grant(p, after);
        placed = true;
      }
    }
    watch.follow(after, placed);
    if (after.status().isTerminal()) {
      deliver(TokenUpdate.of(after, after.tokenCount()));
      followers.clear();
      passivateAfter(Duration.ZERO);
    }
  }

  /**
   * Sends the grant to the placed GPU's agent. A placement no offer named was made by hand (tests,
   * operators): whoever placed it starts the run, under the same grant window.
   */
  private void grant(Placed p, SessionState after) {
    offered.stream().filter(c -> c.gpuId().equals(p.workerId())).findFirst().ifPresent(c -> {
      c.agent().tell(new Grant(p.workerId(), p.method(), after));
      watch.granted(after, c.agent());
    });
  }

  /** Subscribes {@code follower}; it gets every chunk persisted from now on. */
  void subscribe(ActorRef<TokenUpdate> follower, SessionState s) {
    if (!s.status().isTerminal() && followers.add(follower)) {
      context.watchWith(follower, new FollowerGone(follower));
    }
  }

  void unsubscribe(ActorRef<TokenUpdate> follower) {
    followers.remove(follower);
  }

  private void deliver(TokenUpdate update) {
    followers.forEach(f -> f.tell(update));
  }

  void recovered(SessionState s) {
    if (s.status().isTerminal() || s.status() == SessionStatus.NEW) {
      // Remember-entities restarts entities until they passivate; an ended one need not stay,
      // and neither need one that a lookup of an unknown id created.
      shard.ifPresent(sh -> context.scheduleOnce(TERMINAL_LINGER, context.getSelf(), new IdleCheck()));
    } else {
      watch.follow(s, true);
      watch.recovered(s);
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
