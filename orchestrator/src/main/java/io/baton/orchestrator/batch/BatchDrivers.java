package io.baton.orchestrator.batch;

import io.baton.actors.batch.BatchEvent;
import io.baton.actors.batch.BatchState;
import io.baton.actors.feed.FeedEvents;
import io.baton.orchestrator.feed.FeedPublisher;

import io.baton.actors.batch.BatchHooks;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The batches this node drives: at most one {@link BatchDriver} run per batch. A Batch entity asks
 * for driving after every change and after its recovery (remember-entities brings an unfinished
 * batch back on a surviving node), so a batch always has a driver where it lives. A run that fails
 * (Cassandra unavailable, the node shutting down) is retried after a pause.
 */
public final class BatchDrivers {
  private static final Duration RETRY = Duration.ofSeconds(2);

  public sealed interface Command {}

  public record Drive(String batchId) implements Command {}

  private record Finished(String batchId, Throwable error) implements Command {}

  private BatchDrivers() {}

  static Behavior<Command> create(BatchDriver driver) {
    return Behaviors.setup(ctx -> {
      Set<String> running = new HashSet<>();
      return Behaviors.receive(Command.class)
          .onMessage(Drive.class, m -> {
            if (running.add(m.batchId())) {
              ctx.pipeToSelf(driver.drive(m.batchId()), (done, error) -> new Finished(m.batchId(), error));
            }
            return Behaviors.same();
          })
          .onMessage(Finished.class, m -> {
            running.remove(m.batchId());
            if (m.error() != null) {
              ctx.getLog().warn("batch {}: driving failed ({}); retrying in {} s", m.batchId(), m.error().toString(),
                  RETRY.toSeconds());
              ctx.scheduleOnce(RETRY, ctx.getSelf(), new Drive(m.batchId()));
            } else {
              ctx.getLog().info("batch {} ended", m.batchId());
            }
            return Behaviors.same();
          })
          .build();
    });
  }

  /** How Batch entities on this node reach their driver. */
  public static BatchHooks hooks(ActorRef<Command> drivers, FeedPublisher feed) {
    return new BatchHooks() {
      @Override
      public void needsDriving(BatchState state) {
        drivers.tell(new Drive(state.id()));
      }

      @Override
      public void recorded(BatchEvent event, BatchState after) {
        feed.publishAll(FeedEvents.ofBatch(event, after));
      }
    };
  }
}
