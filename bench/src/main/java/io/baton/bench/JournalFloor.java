package io.baton.bench;

import io.baton.actors.CborSerializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;

/**
 * The part of the first token's path that no orchestration design removes on this box: a new
 * persistent entity on the same journal (its recovery reads) and two sequential writes, one for the
 * session's start and one for its first chunk, as many at once as streams are measured. Run in the
 * node's own actor system, against the same Cassandra, in the same run as the API.
 */
final class JournalFloor {
  /** Milliseconds per entity: to its recovery and first write, and to its second write. */
  record Sample(double firstWrite, double secondWrite) {}

  record Written(String what) implements CborSerializable {}

  record Write(String what, ActorRef<Long> replyTo) implements CborSerializable {}

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private JournalFloor() {}

  static List<Sample> measure(ActorSystem<?> system, int concurrency) throws Exception {
    List<CompletableFuture<Sample>> all = new ArrayList<>();
    for (int i = 0; i < concurrency; i++) {
      all.add(oneStream(system).toCompletableFuture());
    }
    List<Sample> out = new ArrayList<>();
    for (CompletableFuture<Sample> f : all) {
      out.add(f.get());
    }
    return out;
  }

  private static CompletionStage<Sample> oneStream(ActorSystem<?> system) {
    long start = System.nanoTime();
    ActorRef<Write> entity = system.systemActorOf(entity("floor-" + UUID.randomUUID()),
        "floor-" + UUID.randomUUID(), Props.empty());
    return ask(system, entity, "submitted").thenCompose(first -> ask(system, entity, "first chunk")
        .thenApply(second -> {
          system.classicSystem().stop(Adapter.toClassic(entity));
          return new Sample((first - start) / 1e6, (second - start) / 1e6);
        }));
  }

  private static CompletionStage<Long> ask(ActorSystem<?> system, ActorRef<Write> entity, String what) {
    return AskPattern.ask(entity, r -> new Write(what, r), TIMEOUT, system.scheduler());
  }

  private static Behavior<Write> entity(String id) {
    return Behaviors.setup(ctx -> new EventSourcedBehavior<Write, Written, Integer>(PersistenceId.ofUniqueId(id)) {
      @Override
      public Integer emptyState() {
        return 0;
      }

      @Override
      public CommandHandler<Write, Written, Integer> commandHandler() {
        return newCommandHandlerBuilder().forAnyState().onCommand(Write.class, c -> Effect()
            .persist(new Written(c.what())).thenRun(s -> c.replyTo().tell(System.nanoTime()))).build();
      }

      @Override
      public EventHandler<Integer, Written> eventHandler() {
        return (state, event) -> state + 1;
      }
    });
  }
}
