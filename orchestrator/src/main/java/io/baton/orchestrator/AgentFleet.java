package io.baton.orchestrator;

import io.baton.http.admin.FleetAdmin;
import io.baton.workers.agent.AgentCommand;
import io.baton.workers.agent.AgentStatus;
import io.baton.workers.agent.EngineView;
import io.baton.workers.agent.GpuIdentity;
import io.baton.workers.agent.GpuReport;
import io.baton.workers.agent.XidSignal;
import io.baton.workers.engine.Fault;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;

/**
 * The admin API's view of the worker agents. This node's GPUs come from its own agent, asked at
 * each request, so they are listed as soon as the agent registered them; other nodes' GPUs come
 * from the reports their agents publish every report interval, which also carry the agent to send
 * an XID to. A node that stops reporting keeps its GPUs listed with their last reported load: the
 * GpuWorker entities, and what an operator must know about them, outlive the agent.
 */
final class AgentFleet implements FleetAdmin {
  private final ActorSystem<?> system;
  private final NodeServices services;
  private final String nodeId;
  private final Map<String, GpuReport> reports = new ConcurrentHashMap<>();

  AgentFleet(ActorSystem<?> system, NodeServices services, String nodeId, ActorRef<Topic.Command<GpuReport>> topic) {
    this.system = system;
    this.services = services;
    this.nodeId = nodeId;
    // A map behind a tiny subscriber rather than an ask per request: the reports arrive anyway.
    system.systemActorOf(Behaviors.<GpuReport>setup(ctx -> {
      topic.tell(Topic.subscribe(ctx.getSelf()));
      return Behaviors.receiveMessage(r -> {
        reports.put(r.gpuId(), r);
        return Behaviors.same();
      });
    }), "admin-gpu-reports", Props.empty());
  }

  @Override
  public CompletionStage<List<GpuLoad>> gpus() {
    return local().thenApply(status -> {
      List<GpuLoad> out = new ArrayList<>();
      status.gpus().forEach(g -> out.add(new GpuLoad(g.gpuId(), status.nodeId(), g.hostId(), g.model(),
          g.sessions().size(), g.heldBlocks(), pci(g.identity()), uuid(g.identity()), signal(g.xidSignal()),
          engine(g.engine()))));
      reports.values().stream()
          .filter(r -> !r.nodeId().equals(nodeId))
          .forEach(r -> out.add(new GpuLoad(r.gpuId(), r.nodeId(), r.hostId(), r.model(), r.sessions(),
              r.heldBlocks().size(), pci(r.identity()), uuid(r.identity()), signal(r.xidSignal()),
              engine(r.engine()))));
      return out;
    });
  }

  @Override
  public CompletionStage<Boolean> observeXid(String gpuId, int code, String detail) {
    return local().thenApply(status -> {
      GpuReport remote = reports.get(gpuId);
      ActorRef<AgentCommand> agent = status.gpus().stream().anyMatch(g -> g.gpuId().equals(gpuId)) ? services.agent()
          : remote != null && !remote.nodeId().equals(nodeId) ? remote.agent() : null;
      if (agent == null) {
        return false;
      }
      agent.tell(new AgentCommand.ObserveXid(gpuId, code, detail));
      return true;
    });
  }

  @Override
  public CompletionStage<FaultDelivery> slowDown(String gpuId, double factor) {
    return local().thenApply(status -> {
      if (status.gpus().stream().anyMatch(g -> g.gpuId().equals(gpuId))) {
        // The agent hands it to the GPU's simulated engine; 1.0 sets full speed again.
        services.agent().tell(new AgentCommand.InjectFault(gpuId, new Fault.Slowdown(factor)));
        return new FaultDelivery(true, null);
      }
      // Faults are local objects the agent hands to its engines, never sent across nodes.
      GpuReport remote = reports.get(gpuId);
      return new FaultDelivery(false, remote == null ? null : remote.nodeId());
    });
  }

  private static FleetAdmin.Engine engine(EngineView engine) {
    return engine == null ? null : new FleetAdmin.Engine(engine.kind(), engine.url(), engine.pid());
  }

  private static String pci(GpuIdentity identity) {
    return identity == null ? null : identity.pciBusId();
  }

  private static String uuid(GpuIdentity identity) {
    return identity == null ? null : identity.uuid();
  }

  private static FleetAdmin.HostSignal signal(XidSignal signal) {
    return signal == null ? null
        : new FleetAdmin.HostSignal(signal.state().name().toLowerCase(), signal.since(), signal.reason());
  }

  /** This node's agent's GPUs; none before the agent starts or on a node without GPUs. */
  private CompletionStage<AgentStatus> local() {
    if (services.agent() == null) {
      return CompletableFuture.completedFuture(new AgentStatus(nodeId, List.of()));
    }
    return services.status(system);
  }
}
