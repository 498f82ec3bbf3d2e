package io.baton.orchestrator.feed;

import io.baton.actors.feed.FeedEvents;
import io.baton.actors.worker.GpuWorkerEvent;
import io.baton.actors.worker.GpuWorkerHooks;
import io.baton.actors.worker.GpuWorkerState;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.pubsub.Topic;

/** A GPU's state goes to the placers and agents (its topic); what changed goes to the admin feed. */
public record NodeGpuHooks(ActorRef<Topic.Command<GpuWorkerState>> states, FeedPublisher feed)
    implements GpuWorkerHooks {

  @Override
  public void changed(GpuWorkerState state) {
    states.tell(Topic.publish(state));
  }

  @Override
  public void recorded(List<GpuWorkerEvent> events, GpuWorkerState after) {
    feed.publishAll(FeedEvents.ofGpu(events, after));
  }
}
