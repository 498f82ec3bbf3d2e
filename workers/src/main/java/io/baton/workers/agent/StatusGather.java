package io.baton.workers.agent;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Answers one status request for the whole node: asks every GPU's keeper for its view and replies
 * once all have answered, or after a short wait with those that did (a keeper busy restarting must
 * not leave the operator without an answer).
 */
final class StatusGather {
  private static final Duration WAIT = Duration.ofSeconds(2);

  private record Timeout() {}

  private StatusGather() {}

  /** @param keepers by GPU id, in the order the node lists its GPUs (the answer keeps it) */
  static Behavior<Object> create(String nodeId, Map<String, ActorRef<GpuCommand>> keepers,
      ActorRef<AgentStatus> replyTo) {
    List<String> order = List.copyOf(keepers.keySet());
    if (order.isEmpty()) {
      replyTo.tell(new AgentStatus(nodeId, List.of()));
      return Behaviors.stopped();
    }
    return Behaviors.setup(ctx -> {
      ActorRef<AgentStatus.Gpu> views = ctx.messageAdapter(AgentStatus.Gpu.class, v -> v);
      keepers.values().forEach(k -> k.tell(new GpuCommand.GetView(views)));
      List<AgentStatus.Gpu> got = new ArrayList<>();
      return Behaviors.withTimers(timers -> {
        timers.startSingleTimer(new Timeout(), WAIT);
        return Behaviors.receiveMessage(m -> {
          if (m instanceof AgentStatus.Gpu gpu) {
            got.add(gpu);
          }
          if (got.size() < keepers.size() && !(m instanceof Timeout)) {
            return Behaviors.same();
          }
          got.sort(Comparator.comparingInt(g -> order.indexOf(g.gpuId())));
          replyTo.tell(new AgentStatus(nodeId, List.copyOf(got)));
          return Behaviors.stopped();
        });
      });
    });
  }
}
