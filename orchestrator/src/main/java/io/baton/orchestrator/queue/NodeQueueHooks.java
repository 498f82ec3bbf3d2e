package io.baton.orchestrator.queue;

import io.baton.actors.feed.FeedEvent;
import io.baton.orchestrator.feed.FeedPublisher;
import java.util.List;

import io.baton.actors.queue.GpuLoad;
import io.baton.actors.queue.QueueCommand;
import io.baton.actors.queue.QueueHooks;
import io.baton.actors.queue.QueueSummary;
import io.baton.actors.session.FailureCause;
import io.baton.actors.session.Session;
import io.baton.actors.session.SessionCommand;
import io.baton.actors.worker.GpuStatus;
import io.baton.workers.agent.AgentCommand;
import io.baton.workers.agent.GpuReport;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * What an admission queue needs of the node it lives on: the GPU reports for its model, the
 * queues' topic, the sessions it admits (through sharding, so it needs no reference that a node's
 * loss could break), and the agents of the GPUs whose runs it preempts.
 */
public final class NodeQueueHooks implements QueueHooks {
  private final ActorSystem<?> system;
  /** Each GPU's agent as its last report named it: a preemption goes to the agent running it. */
  private final Map<String, ActorRef<AgentCommand>> agents = new ConcurrentHashMap<>();
  private final ActorRef<Topic.Command<GpuReport>> reports;
  private final ActorRef<Topic.Command<QueueSummary>> summaries;
  private final FeedPublisher feed;
  /** Each queue's waiters by class as last put on the admin feed: only a change is published. */
  private final Map<String, List<Integer>> published = new ConcurrentHashMap<>();

  public NodeQueueHooks(ActorSystem<?> system, ActorRef<Topic.Command<GpuReport>> reports,
      ActorRef<Topic.Command<QueueSummary>> summaries, FeedPublisher feed) {
    this.system = system;
    this.reports = reports;
    this.summaries = summaries;
    this.feed = feed;
  }

  @Override
  public void watchLoads(String model, ActorContext<QueueCommand> context, ActorRef<GpuLoad> to) {
    context.spawn(loads(model, to), "loads");
  }

  /** Forwards the model's GPU reports as loads; a child of the queue, so it stops with it. */
  private Behavior<GpuReport> loads(String model, ActorRef<GpuLoad> to) {
    return Behaviors.setup(ctx -> {
      reports.tell(Topic.subscribe(ctx.getSelf()));
      return Behaviors.receiveMessage(r -> {
        if (r.model().equals(model)) {
          if (r.agent() != null) {
            agents.put(r.gpuId(), r.agent());
          }
          to.tell(load(r));
        }
        return Behaviors.same();
      });
    });
  }

  static GpuLoad load(GpuReport r) {
    return new GpuLoad(r.gpuId(), r.model(), r.status() == GpuStatus.ACTIVE, r.capacity() - r.sessions(), r.runs(),
        r.at());
  }

  @Override
  public void publish(QueueSummary summary) {
    summaries.tell(Topic.publish(summary));
    if (!summary.waitingByRank().equals(published.put(summary.model(), summary.waitingByRank()))) {
      feed.publish(new FeedEvent.QueueChanged(summary.model(), summary.waiting(), summary.waitingByRank()));
    }
  }

  @Override
  public void admit(String sessionId) {
    ClusterSharding.get(system).entityRefFor(Session.ENTITY_KEY, sessionId).tell(new SessionCommand.Admit());
  }

  /**
   * Asks the GPU's agent to give the place up: it stops the run at once and hints the session, so
   * the place is free now rather than at the run's next chunk. Without a known agent the session is
   * hinted directly, and the run stops at its next chunk.
   */
  @Override
  public void preempt(GpuLoad.Run run, String gpuId, String reason) {
    system.log().info("queue: preempting session {} attempt {} on {}: {}", run.sessionId(), run.attempt(), gpuId,
        reason);
    ActorRef<AgentCommand> agent = agents.get(gpuId);
    if (agent != null) {
      agent.tell(new AgentCommand.Preempt(gpuId, run.sessionId(), run.attempt(), reason));
    } else {
      ClusterSharding.get(system).entityRefFor(Session.ENTITY_KEY, run.sessionId())
          .tell(new SessionCommand.Hint(run.attempt(), gpuId, FailureCause.of(FailureCause.Kind.PREEMPTED, reason)));
    }
  }
}
