package io.baton.workers.agent;

import io.baton.actors.Printable;
import io.baton.actors.session.Session;
import io.baton.actors.worker.GpuSpec;
import io.baton.actors.worker.GpuWorker;
import io.baton.actors.worker.GpuWorkerState;
import io.baton.actors.worker.Pool;
import io.baton.persistence.kv.KvBlockStore;
import io.baton.workers.agent.AgentCommand.*;
import io.baton.workers.engine.InferenceEngine;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * The worker agent: one per node, for the node's GPUs (DESIGN.md, "Workers"). Each GPU is its own
 * {@link GpuKeeper} child, which registers it, takes its grants, runs its attempts, probes, resets
 * and checks its engine, and reports it to every placer. The agent only routes what names a GPU to
 * its keeper and answers for the node as a whole. A keeper that fails is restarted alone.
 */
public final class WorkerAgent {

  /** A GPU this agent drives, with the pool it starts in when it is new to the fleet. */
  public record AgentGpu(GpuSpec spec, Pool pool, InferenceEngine engine) {
    public String gpuId() {
      return workerId(spec);
    }
  }

  public static final String RUNNER_DISPATCHER = "baton-runner-dispatcher";

  private WorkerAgent() {}

  /**
   * @param store the KV block store for checkpoints and restores; null turns both off
   * @param costModel whether a fresh session's prompt blocks are restored from the store
   * @param gpuStates the topic on which GpuWorker entities announce their state
   * @param reports the topic on which each GPU's {@link GpuReport}s are published
   * @param metrics where XIDs (baton.xids, by code and class), resumes and the runs' journal
   *     acknowledgements (baton.journal.append, baton.journal.checkpoint) are counted
   */
  public static Behavior<AgentCommand> create(
      AgentSettings settings, String nodeId, List<AgentGpu> gpus, KvBlockStore store, ResumeCostModel costModel,
      ActorRef<Topic.Command<GpuWorkerState>> gpuStates, ActorRef<Topic.Command<GpuReport>> reports,
      MeterRegistry metrics) {
    return Behaviors.setup(ctx -> {
      ClusterSharding sharding = ClusterSharding.get(ctx.getSystem());
      GpuMeters meters = GpuMeters.of(metrics);
      Map<String, ActorRef<GpuCommand>> keepers = new LinkedHashMap<>();
      Map<String, String> hosts = new LinkedHashMap<>();
      for (int i = 0; i < gpus.size(); i++) {
        AgentGpu gpu = gpus.get(i);
        GpuLinks links = new GpuLinks(sharding.entityRefFor(GpuWorker.ENTITY_KEY, gpu.gpuId()),
            id -> sharding.entityRefFor(Session.ENTITY_KEY, id), reports, ctx.getSelf(), nodeId, "agent@" + nodeId,
            store, costModel, meters);
        // A defect in one GPU's keeper restarts that keeper, which re-registers and carries on.
        keepers.put(gpu.gpuId(), ctx.spawn(Behaviors.supervise(GpuKeeper.create(settings, gpu, links))
            .onFailure(SupervisorStrategy.restartWithBackoff(Duration.ofSeconds(1), Duration.ofSeconds(30), 0.2)),
            "gpu-" + i));
        hosts.put(gpu.gpuId(), gpu.spec().hostId());
      }
      gpuStates.tell(Topic.subscribe(ctx.messageAdapter(GpuWorkerState.class, GpuStateHeard::new)));
      return routing(ctx, nodeId, keepers, hosts);
    });
  }

  /** The GpuWorker entity id of a GPU: unique in the fleet because host ids are. */
  public static String workerId(GpuSpec gpu) {
    return workerId(gpu.hostId(), gpu.gpuIndex());
  }

  public static String workerId(String hostId, int gpuIndex) {
    return hostId + "-gpu" + gpuIndex;
  }

  private static Behavior<AgentCommand> routing(ActorContext<AgentCommand> ctx, String nodeId,
      Map<String, ActorRef<GpuCommand>> keepers, Map<String, String> hosts) {
    return Behaviors.receive(AgentCommand.class)
        .onMessage(ObserveXid.class, m -> to(ctx, keepers, m.gpuId(), new GpuCommand.Xid(m.code(), m.detail(), true)))
        .onMessage(InjectFault.class, m -> to(ctx, keepers, m.gpuId(), new GpuCommand.Inject(m.fault())))
        .onMessage(SessionMoved.class, m -> to(ctx, keepers, m.gpuId(), new GpuCommand.Moved(m.sessionId(), m.attempt())))
        .onMessage(AgentCommand.Preempt.class, m -> to(ctx, keepers, m.gpuId(),
            new GpuCommand.Preempt(m.sessionId(), m.attempt(), m.reason())))
        .onMessage(GpuStateHeard.class, m -> keepers.containsKey(m.state().workerId())
            ? to(ctx, keepers, m.state().workerId(), new GpuCommand.StateHeard(m.state())) : Behaviors.same())
        .onMessage(HostObserved.class, m -> {
          keepers.forEach((id, k) -> k.tell(new GpuCommand.Host(m.signal(), m.identities().get(id))));
          return Behaviors.same();
        })
        .onMessage(HostDown.class, m -> {
          hosts.forEach((id, host) -> {
            if (host.equals(m.hostId())) {
              keepers.get(id).tell(new GpuCommand.HostDown(m.reason(), m.cause()));
            }
          });
          return Behaviors.same();
        })
        .onMessage(GetStatus.class, m -> {
          ctx.spawnAnonymous(StatusGather.create(nodeId, keepers, m.replyTo()));
          return Behaviors.same();
        })
        .build();
  }

  private static Behavior<AgentCommand> to(ActorContext<AgentCommand> ctx, Map<String, ActorRef<GpuCommand>> keepers,
      String gpuId, GpuCommand command) {
    ActorRef<GpuCommand> keeper = keepers.get(gpuId);
    if (keeper == null) {
      ctx.getLog().warn("{} for unknown GPU {} ignored", command.getClass().getSimpleName(), Printable.of(gpuId));
    } else {
      keeper.tell(command);
    }
    return Behaviors.same();
  }
}
