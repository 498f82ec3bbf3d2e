package io.baton.orchestrator.fleet;

import io.baton.actors.worker.GpuWorker;
import io.baton.actors.worker.GpuWorkerCommand;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.pattern.Patterns;

/**
 * A suspect mark sent while a node was unreachable is lost when that node hosted the GPU's own
 * GpuWorker entity; once the node is downed and removed, the entity restarts elsewhere and would
 * show the GPU active although nothing serves it. {@link NodeLossWatch} marks them again here,
 * retrying until the shard has moved (after the down-removal margin).
 */
final class RemovedNodeGpus {
  /** Long enough, over all attempts, for the down-removal margin and a shard restart elsewhere. */
  private static final Duration MARK_TIMEOUT = Duration.ofSeconds(3);
  private static final int MARK_ATTEMPTS = 10;

  private RemovedNodeGpus() {}

  static void markSuspect(ActorSystem<?> system, String by, Address node, List<String> gpus) {
    system.log().warn("node {} removed from the cluster: marking its GPUs {} suspect", node, gpus);
    ClusterSharding sharding = ClusterSharding.get(system);
    org.apache.pekko.actor.ActorSystem classic = Adapter.toClassic(system);
    for (String gpu : gpus) {
      String why = "node " + node + " left the cluster (downed); its agent resets and checks " + gpu
          + " when the node is back";
      Patterns.retry(() -> sharding.entityRefFor(GpuWorker.ENTITY_KEY, gpu).<GpuWorkerCommand.Reply>ask(
                  replyTo -> new GpuWorkerCommand.MarkSuspect(by, why, replyTo), MARK_TIMEOUT),
              MARK_ATTEMPTS, MARK_TIMEOUT, classic.scheduler(), classic.dispatcher())
          .whenComplete((reply, error) -> {
            if (error != null) {
              system.log().warn("could not mark {} suspect after its node left: {}", gpu, error.toString());
            }
          });
    }
  }
}
