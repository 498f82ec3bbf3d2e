package io.baton.actors.app;

import io.baton.actors.session.SessionCommand;
import io.baton.actors.session.SessionFollower;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.typed.javadsl.ActorSource;

/**
 * Between a session follower and one HTTP stream. The stream takes one element at a time and
 * acknowledges it; chunks that arrive meanwhile wait here, merged into one, so an open stream holds
 * memory for what its client has not read yet rather than a buffer sized for the longest possible
 * generation (max_tokens slots, allocated up front for every stream). The follower delivers
 * contiguous chunks, so merging keeps every token exactly once and in order.
 */
final class FollowerBridge {
  /** The stream took the element sent last and can take the next. */
  enum Ack { INSTANCE }

  /** The stream's actor, known once the stream is materialized. */
  record Attach(ActorRef<SessionFollower.Event> stream) {}

  private record StreamGone() {}

  private FollowerBridge() {}

  /**
   * The session's durable tokens from {@code fromIndex}, then how it ended (the last element is
   * {@link SessionFollower.Ended} or {@link SessionFollower.Lost}): a follower of the entity and a
   * bridge to the stream. Materialize it once.
   */
  static Source<SessionFollower.Event, NotUsed> source(ActorSystem<?> system, String sessionId,
      EntityRef<SessionCommand> entity, int fromIndex) {
    String name = UUID.randomUUID().toString();
    // The stream takes one element at a time; the bridge holds (and merges) what waits meanwhile,
    // from before the stream runs. The source runs inside the caller's own stream (it is not
    // pre-materialized into one of its own), which saves each open stream an actor and an interpreter.
    ActorRef<Object> bridge = system.systemActorOf(create(), "follow-bridge-" + name, Props.empty());
    system.systemActorOf(SessionFollower.create(sessionId, entity, fromIndex, bridge.narrow()), "follow-" + name,
        Props.empty());
    return ActorSource.<SessionFollower.Event, Ack>actorRefWithBackpressure(bridge.narrow(), Ack.INSTANCE,
            e -> Optional.empty(), e -> Optional.empty())
        .mapMaterializedValue(stream -> {
          bridge.tell(new Attach(stream));
          return NotUsed.getInstance();
        })
        .takeWhile(e -> !(e instanceof SessionFollower.Ended) && !(e instanceof SessionFollower.Lost), true);
  }

  /** Receives the follower's {@link SessionFollower.Event}s, {@link Ack}s and one {@link Attach}. */
  static Behavior<Object> create() {
    return Behaviors.setup(ctx -> new Bridge(ctx).behavior());
  }

  /** Mutable, but only the bridge's actor touches it. */
  private static final class Bridge {
    private final ActorContext<Object> ctx;
    private ActorRef<SessionFollower.Event> stream;
    private boolean inFlight;
    private SessionFollower.Tokens pending;
    private SessionFollower.Event terminal;

    Bridge(ActorContext<Object> ctx) {
      this.ctx = ctx;
    }

    Behavior<Object> behavior() {
      return Behaviors.receive(Object.class)
          .onMessage(SessionFollower.Tokens.class, t -> {
            pending = pending == null ? t : merged(pending, t);
            return flush();
          })
          .onMessage(SessionFollower.Event.class, e -> {
            terminal = e; // Ended or Lost: the follower's last word
            return flush();
          })
          .onMessage(Ack.class, a -> {
            inFlight = false;
            return flush();
          })
          .onMessage(Attach.class, a -> {
            stream = a.stream();
            ctx.watchWith(stream, new StreamGone());
            return flush();
          })
          .onMessage(StreamGone.class, g -> Behaviors.stopped())
          .build();
    }

    private Behavior<Object> flush() {
      if (stream == null || inFlight) {
        return Behaviors.same();
      }
      if (pending != null) {
        stream.tell(pending);
        pending = null;
        inFlight = true;
      } else if (terminal != null) {
        stream.tell(terminal);
        terminal = null;
        inFlight = true;
      }
      return Behaviors.same();
    }

    private static SessionFollower.Tokens merged(SessionFollower.Tokens first, SessionFollower.Tokens next) {
      if (first.fromIndex() + first.tokens().size() != next.fromIndex()) {
        throw new IllegalStateException("chunks not contiguous: " + first.fromIndex() + "+" + first.tokens().size()
            + " then " + next.fromIndex());
      }
      List<Integer> tokens = new ArrayList<>(first.tokens().size() + next.tokens().size());
      tokens.addAll(first.tokens());
      tokens.addAll(next.tokens());
      return new SessionFollower.Tokens(first.fromIndex(), List.copyOf(tokens));
    }
  }
}
