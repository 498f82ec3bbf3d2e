package io.baton.http.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.baton.actors.worker.GpuSpec;
import io.baton.actors.worker.GpuStatus;
import io.baton.actors.worker.GpuWorker;
import io.baton.actors.worker.GpuWorkerCommand;
import io.baton.actors.worker.GpuWorkerState;
import io.baton.actors.worker.HistoryEntry;
import io.baton.actors.worker.XidReport;
import io.baton.http.Json;
import io.baton.http.errors.ApiError;
import io.baton.http.errors.ApiException;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/**
 * The rows of {@code GET /admin/workers}: each GPU's durable state (status, why and since when,
 * last XID) from its GpuWorker entity, joined with its agent's live load. The entity is the truth
 * about status; the agent only knows what runs on the GPU and what its memory holds.
 */
final class WorkerRows {
  static final Duration ASK_TIMEOUT = Duration.ofSeconds(5);

  private final ClusterSharding sharding;
  private final FleetAdmin fleet;

  WorkerRows(ActorSystem<?> system, FleetAdmin fleet) {
    this.sharding = ClusterSharding.get(system);
    this.fleet = fleet;
  }

  EntityRef<GpuWorkerCommand> worker(String gpuId) {
    return sharding.entityRefFor(GpuWorker.ENTITY_KEY, gpuId);
  }

  /** Every GPU the agents report, by id. */
  CompletionStage<ObjectNode> all() {
    return fleet.gpus().thenCompose(loads -> {
      List<CompletableFuture<ObjectNode>> rows = loads.stream()
          .sorted(Comparator.comparing(FleetAdmin.GpuLoad::gpuId))
          .map(load -> state(load.gpuId()).thenApply(s -> row(s, Optional.of(load)))
              .exceptionally(e -> unanswered(load)).toCompletableFuture())
          .toList();
      return CompletableFuture.allOf(rows.toArray(CompletableFuture[]::new)).thenApply(done -> {
        ObjectNode list = Json.MAPPER.createObjectNode();
        list.put("object", "list");
        ArrayNode data = list.putArray("data");
        rows.forEach(r -> data.add(r.join()));
        return list;
      });
    });
  }

  /** One GPU's row; 404 when the fleet has never registered it. */
  CompletionStage<ObjectNode> one(String gpuId) {
    return fleet.gpus().thenCompose(loads -> state(gpuId).thenApply(s -> {
      if (s.status() == GpuStatus.UNREGISTERED) {
        throw new ApiException(ApiError.notFound("no GPU worker '" + gpuId + "'", "id", "gpu_not_found"));
      }
      ObjectNode row = row(s, loads.stream().filter(l -> l.gpuId().equals(gpuId)).findFirst());
      // One GPU's page also tells its story: every status change, who made it and why.
      ArrayNode history = row.putArray("history");
      for (HistoryEntry h : s.history()) {
        ObjectNode e = history.addObject();
        e.put("from", h.from() == null ? null : h.from().name().toLowerCase());
        e.put("to", h.to().name().toLowerCase());
        e.put("by", h.by());
        e.put("reason", h.reason());
        e.put("at", h.at() == null ? null : h.at().toString());
      }
      return row;
    }));
  }

  private CompletionStage<GpuWorkerState> state(String gpuId) {
    return worker(gpuId).<GpuWorkerState>ask(GpuWorkerCommand.GetState::new, ASK_TIMEOUT)
        .exceptionally(e -> {
          throw new ApiException(ApiError.unavailable("GPU worker " + gpuId + " did not answer in time; retry"));
        });
  }

  /**
   * A GPU whose entity did not answer still gets its row, from its agent's report: the listing is
   * most needed when a node just died, which is also when the entities it hosted are moving.
   */
  private static ObjectNode unanswered(FleetAdmin.GpuLoad load) {
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("id", load.gpuId());
    o.put("object", "baton.gpu_worker");
    o.put("node", load.node());
    o.put("host", load.host());
    o.put("model", load.model());
    o.put("state", "unknown");
    o.put("reason", "its GpuWorker entity did not answer within " + ASK_TIMEOUT.toSeconds() + " s (the node hosting"
        + " it may be down and its shard moving); retry shortly");
    o.putNull("changed_by");
    o.putNull("since");
    o.putNull("last_xid");
    o.put("active_sessions", load.activeSessions());
    o.put("cached_kv_blocks", load.cachedKvBlocks());
    putHost(o, Optional.of(load));
    return o;
  }

  /** What the host knows of the GPU: its engine, its NVIDIA identity and whether its kernel log is read. */
  private static void putHost(ObjectNode o, Optional<FleetAdmin.GpuLoad> load) {
    FleetAdmin.Engine engine = load.map(FleetAdmin.GpuLoad::engine).orElse(null);
    if (engine == null) {
      o.putNull("engine");
    } else {
      ObjectNode e = o.putObject("engine");
      e.put("kind", engine.kind());
      e.put("url", engine.url());
      e.put("pid", engine.pid());
    }
    o.put("pci_bus_id", load.map(FleetAdmin.GpuLoad::pciBusId).orElse(null));
    o.put("uuid", load.map(FleetAdmin.GpuLoad::uuid).orElse(null));
    FleetAdmin.HostSignal signal = load.map(FleetAdmin.GpuLoad::xidSignal).orElse(null);
    if (signal == null) {
      o.putNull("xid_signal");
    } else {
      ObjectNode s = o.putObject("xid_signal");
      s.put("state", signal.state());
      s.put("since", signal.since() == null ? null : signal.since().toString());
      s.put("reason", signal.reason());
    }
  }

  /** A GPU whose agent has not reported (yet) shows its durable state with no load. */
  private static ObjectNode row(GpuWorkerState s, Optional<FleetAdmin.GpuLoad> load) {
    GpuSpec gpu = s.gpu();
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("id", s.workerId());
    o.put("object", "baton.gpu_worker");
    o.put("node", gpu != null ? gpu.nodeId() : load.map(FleetAdmin.GpuLoad::node).orElse(null));
    o.put("host", gpu != null ? gpu.hostId() : load.map(FleetAdmin.GpuLoad::host).orElse(null));
    o.put("model", gpu != null ? gpu.model() : load.map(FleetAdmin.GpuLoad::model).orElse(null));
    o.put("state", s.status().name().toLowerCase());
    HistoryEntry change = s.lastChange();
    o.put("reason", change == null ? null : change.reason());
    o.put("changed_by", change == null ? null : change.by());
    o.put("since", s.since() == null ? null : s.since().toString());
    XidReport xid = s.lastXid();
    if (xid == null) {
      o.putNull("last_xid");
    } else {
      ObjectNode x = o.putObject("last_xid");
      x.put("code", xid.code());
      x.put("class", xid.xidClass().id());
      x.put("detail", xid.detail());
      x.put("reported_by", xid.reportedBy());
      x.put("at", xid.at().toString());
    }
    if (load.isPresent()) {
      o.put("active_sessions", load.get().activeSessions());
      o.put("cached_kv_blocks", load.get().cachedKvBlocks());
    } else {
      o.putNull("active_sessions");
      o.putNull("cached_kv_blocks");
    }
    putHost(o, load);
    return o;
  }
}
