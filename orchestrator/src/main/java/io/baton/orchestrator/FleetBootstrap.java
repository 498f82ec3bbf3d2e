package io.baton.orchestrator;

import io.baton.actors.worker.GpuSpec;
import io.baton.actors.worker.GpuWorker;
import io.baton.actors.worker.GpuWorkerCommand;
import io.baton.actors.worker.GpuWorkerState;
import io.baton.actors.worker.Pool;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers dev mode's simulated GPUs as GpuWorker entities. Registration is idempotent, so on a
 * restart the entities recover from the journal and keep what they knew: a GPU cordoned before the
 * restart stays cordoned, with its reason.
 */
public final class FleetBootstrap {
  private static final Logger log = LoggerFactory.getLogger(FleetBootstrap.class);
  private static final Duration ASK_TIMEOUT = Duration.ofSeconds(30);

  private FleetBootstrap() {}

  public static String workerId(String hostId, int gpuIndex) {
    return hostId + "-gpu" + gpuIndex;
  }

  /** The simulated GPUs: the last {@code spares} GPUs of the fleet start in the spare pool. */
  public static List<GpuSpec> simulatedGpus(String nodeId, OrchestratorSettings.SimulatedFleet fleet) {
    List<GpuSpec> gpus = new ArrayList<>();
    for (int h = 0; h < fleet.hosts(); h++) {
      for (int g = 0; g < fleet.gpusPerHost(); g++) {
        gpus.add(new GpuSpec(nodeId, "sim-host-" + h, g, fleet.model(), fleet.kvBlockCapacity()));
      }
    }
    return gpus;
  }

  public static CompletionStage<List<GpuWorkerState>> registerSimulatedFleet(
      ActorSystem<?> system, OrchestratorSettings settings) {
    List<GpuSpec> gpus = simulatedGpus(settings.nodeId(), settings.simulatedFleet());
    int firstSpare = gpus.size() - settings.simulatedFleet().spares();
    List<CompletableFuture<GpuWorkerState>> states = new ArrayList<>();
    for (int i = 0; i < gpus.size(); i++) {
      GpuSpec gpu = gpus.get(i);
      Pool pool = i >= firstSpare ? Pool.SPARE : Pool.ACTIVE;
      EntityRef<GpuWorkerCommand> ref = ClusterSharding.get(system)
          .entityRefFor(GpuWorker.ENTITY_KEY, workerId(gpu.hostId(), gpu.gpuIndex()));
      states.add(ref.<GpuWorkerCommand.Reply>ask(r -> new GpuWorkerCommand.Register(gpu, pool, "baton-up", r), ASK_TIMEOUT)
          .thenCompose(reply -> {
            if (reply instanceof GpuWorkerCommand.Rejected rejected) {
              throw new IllegalStateException("GPU " + ref.getEntityId() + " refused registration: "
                  + rejected.rejection().detail() + ". If the simulated fleet's settings changed, restore them"
                  + " or start with a fresh --data-dir.");
            }
            return ref.<GpuWorkerState>ask(GpuWorkerCommand.GetState::new, ASK_TIMEOUT);
          })
          .toCompletableFuture());
    }
    return CompletableFuture.allOf(states.toArray(CompletableFuture[]::new))
        .thenApply(v -> states.stream().map(CompletableFuture::join).toList())
        .thenApply(all -> {
          all.forEach(s -> log.info("gpu worker={} status={} model={} since={}",
              s.workerId(), s.status(), s.gpu().model(), s.since()));
          return all;
        });
  }
}
