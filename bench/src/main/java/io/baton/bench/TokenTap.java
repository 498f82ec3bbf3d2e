package io.baton.bench;

import io.baton.actors.session.Session;
import io.baton.actors.session.SessionCommand;
import io.baton.actors.session.TokenUpdate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * A follower subscribed at one session entity, as a streaming client's follower is, that notes
 * when each update arrived. Subscribed right after the session is submitted.
 */
final class TokenTap {
  /** One update as it reached the subscriber. */
  record Heard(Instant at, TokenUpdate update) {}

  private static final String STOP = "stop";

  final String sessionId;
  final long openedNanos = System.nanoTime();
  private final List<Heard> heard = new ArrayList<>();
  private final ActorRef<Object> actor;

  TokenTap(ActorSystem<?> system, String sessionId) {
    this.sessionId = sessionId;
    this.actor = system.systemActorOf(behavior(), "tap-" + sessionId, Props.empty());
  }

  /** Subscribes at the session entity; every chunk persisted from then on is heard. */
  void subscribe(ActorSystem<?> system) {
    ClusterSharding.get(system).entityRefFor(Session.ENTITY_KEY, sessionId)
        .tell(new SessionCommand.Subscribe(0, actor.narrow(), system.ignoreRef()));
  }

  private Behavior<Object> behavior() {
    return Behaviors.setup(ctx -> {
      return Behaviors.receive(Object.class)
          .onMessage(TokenUpdate.class, u -> {
            Instant now = Instant.now(); // first thing: the arrival time is the measurement
            synchronized (heard) {
              heard.add(new Heard(now, u));
            }
            return Behaviors.same();
          })
          .onMessageEquals(STOP, Behaviors::stopped)
          .build();
    });
  }

  long ageMillis() {
    return (System.nanoTime() - openedNanos) / 1_000_000;
  }

  /** The first update that starts at {@code fromIndex} and arrived after {@code after}. */
  Optional<Heard> firstFrom(int fromIndex, Instant after) {
    synchronized (heard) {
      return heard.stream()
          .filter(h -> h.update().fromIndex() == fromIndex && !h.update().tokens().isEmpty() && h.at().isAfter(after))
          .findFirst();
    }
  }

  void close() {
    actor.tell(STOP);
  }
}
