package io.baton.http.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.baton.actors.app.SessionAdmin;
import io.baton.actors.worker.GpuWorkerCommand;
import io.baton.actors.worker.XidCatalog;
import io.baton.actors.worker.XidClass;
import io.baton.http.HttpSettings;
import io.baton.http.Json;
import io.baton.http.JsonBody;
import io.baton.http.errors.ApiError;
import io.baton.http.errors.ApiException;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Everything under {@code /admin} (its token is checked by the caller): the GPU fleet (list,
 * cordon, uncordon, drain, each recording who and why on the GpuWorker), fault injection under
 * {@code /admin/chaos} when chaos mode is on, tenants, queues and preemption. Cluster membership
 * lives on the management port ({@code /cluster/...}).
 */
public final class AdminRoutes extends AllDirectives {
  /** Who a change is recorded as when the request names no one: the admin token's holder. */
  static final String DEFAULT_BY = "admin";
  /** Beyond this a slowdown is a hang in all but name; chaos has its own hang for that. */
  static final double MAX_SLOWDOWN = 1000;

  /** The status changes an operator may ask for; their rules are GpuWorker's. */
  @FunctionalInterface
  private interface Change {
    GpuWorkerCommand.ChangeStatus command(String by, String reason, ActorRef<GpuWorkerCommand.Reply> replyTo);
  }

  private final HttpSettings settings;
  private final FleetAdmin fleet;
  private final WorkerRows rows;
  private final TenantRows tenants;
  private final SessionAdmin sessions;
  private final XidCatalog xids = XidCatalog.standard();

  public AdminRoutes(ActorSystem<?> system, HttpSettings settings, FleetAdmin fleet, TenantRows tenants,
      SessionAdmin sessions) {
    this.settings = settings;
    this.fleet = fleet;
    this.tenants = tenants;
    this.sessions = sessions;
    this.rows = new WorkerRows(system, fleet);
  }

  /** The routes below /admin. */
  public Route routes() {
    Route workers = pathPrefix("workers", () -> concat(
        pathEnd(() -> get(() -> onSuccess(rows.all(), list -> complete(Json.ok(list))))),
        pathPrefix(id -> concat(
            pathEnd(() -> get(() -> onSuccess(rows.one(id), row -> complete(Json.ok(row))))),
            path("cordon", () -> post(() -> change(id, GpuWorkerCommand.Cordon::new))),
            path("uncordon", () -> post(() -> change(id, GpuWorkerCommand.Uncordon::new))),
            path("drain", () -> post(() -> change(id, GpuWorkerCommand.Drain::new)))))));
    Route tenantList = path("tenants", () -> get(() -> complete(Json.ok(tenants.all()))));
    Route queueList = path("queues", () -> get(() -> complete(Json.ok(QueueRows.all(tenants.queues())))));
    Route preempt = pathPrefix("sessions", () -> pathPrefix(id -> path("preempt", () -> post(() -> preempt(id)))));
    Route ops = concat(workers, tenantList, queueList, preempt);
    // Chaos off: the paths do not exist at all, so they answer 404 like any unknown path.
    return settings.chaos() ? concat(ops, chaos()) : ops;
  }

  /**
   * {@code POST /admin/sessions/{id}/preempt} {"reason": "..."}: the session's attempt ends as
   * PREEMPTED and it resumes on another GPU, token-exact; 202 with the attempt it ended.
   */
  private Route preempt(String id) {
    return JsonBody.json(json -> {
      String reason = text(object(json), "reason");
      if (reason == null) {
        throw new ApiException(ApiError.invalid("reason", "reason is required: the session's history records it"));
      }
      return onSuccess(sessions.preempt(id, reason).thenApply(ApiException::valueOf), s -> {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("id", id);
        body.put("attempt", s.attempt());
        body.put("worker", s.currentAttempt().workerId());
        body.put("reason", reason);
        return complete(Json.ok(body).withStatus(StatusCodes.ACCEPTED));
      });
    });
  }

  private Route change(String id, Change change) {
    return JsonBody.json(json -> {
      JsonNode body = object(json);
      String reason = text(body, "reason");
      if (reason == null) {
        throw new ApiException(ApiError.invalid("reason", "reason is required: operators read it to learn why the GPU"
            + " is where it is"));
      }
      String by = text(body, "by");
      CompletionStage<GpuWorkerCommand.Reply> reply = rows.worker(id).<GpuWorkerCommand.Reply>ask(
          r -> change.command(by == null ? DEFAULT_BY : by, reason, r), WorkerRows.ASK_TIMEOUT);
      return onSuccess(reply.exceptionally(e -> {
        throw new ApiException(ApiError.unavailable("GPU worker " + id + " did not answer in time; retry"));
      }), r -> {
        if (r instanceof GpuWorkerCommand.Rejected rejected) {
          return complete(Json.error(ApiError.from(rejected.rejection())));
        }
        return onSuccess(rows.one(id), row -> complete(Json.ok(row)));
      });
    });
  }

  /**
   * {@code POST /admin/chaos/workers/{id}/xid} {"code": 79}: an XID as if the kernel log reported it;
   * {@code POST /admin/chaos/workers/{id}/slow} {"factor": 4.0}: a throttled GPU.
   */
  private Route chaos() {
    return pathPrefix("chaos", () -> pathPrefix("workers", () -> pathPrefix(id -> concat(
        path("xid", () -> post(() -> xid(id))),
        path("slow", () -> post(() -> slow(id)))))));
  }

  private Route xid(String id) {
    return JsonBody.json(json -> {
      JsonNode body = object(json);
      JsonNode code = body.get("code");
      if (code == null || !code.canConvertToInt() || !code.isIntegralNumber() || code.asInt() < 1) {
        throw new ApiException(ApiError.invalid("code", "code must be an XID number, a positive integer"));
      }
      String detail = text(body, "detail");
      String line = detail != null ? detail : "XID " + code.asInt() + " injected through /admin/chaos";
      return onSuccess(fleet.observeXid(id, code.asInt(), line), known -> {
        if (!known) {
          throw new ApiException(ApiError.notFound("no agent reports a GPU '" + id + "'", "id", "gpu_not_found"));
        }
        XidClass xidClass = xids.classify(code.asInt());
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("object", "baton.xid_injection");
        o.put("gpu", id);
        o.put("code", code.asInt());
        o.put("class", xidClass.id());
        o.put("action", xidClass.action());
        // Accepted, not done: the agent records the XID and acts by its class after this answer.
        return complete(Json.ok(o).withStatus(StatusCodes.ACCEPTED));
      });
    });
  }

  /** {"factor": 4.0}: every simulated prefill and decode on the GPU takes 4 times as long; 1.0 clears it. */
  private Route slow(String id) {
    return JsonBody.json(json -> {
      JsonNode factor = object(json).get("factor");
      if (factor == null || !factor.isNumber() || !(factor.asDouble() > 0) || factor.asDouble() > MAX_SLOWDOWN) {
        throw new ApiException(ApiError.invalid("factor", "factor must be a number above 0 and at most "
            + MAX_SLOWDOWN + "; 1.0 restores full speed"));
      }
      double f = factor.asDouble();
      return onSuccess(fleet.slowDown(id, f), delivery -> {
        if (!delivery.delivered() && delivery.ownerNode() == null) {
          throw new ApiException(ApiError.notFound("no agent reports a GPU '" + id + "'", "id", "gpu_not_found"));
        }
        if (!delivery.delivered()) {
          throw new ApiException(new ApiError(409, "invalid_request_error", "GPU '" + id + "' is on node "
              + delivery.ownerNode() + ": send the slowdown to that node's API", "id", "gpu_on_other_node"));
        }
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("object", "baton.gpu_slowdown");
        o.put("worker", id);
        o.put("factor", f);
        return complete(Json.ok(o));
      });
    });
  }

  /** The request body as a JSON object (an empty body is an empty one). */
  private static JsonNode object(JsonNode node) {
    if (!node.isObject()) {
      throw new ApiException(ApiError.malformed("the request body must be a JSON object"));
    }
    return node;
  }

  /** A field's non-blank text, or null when it is missing, blank or not a string. */
  private static String text(JsonNode body, String field) {
    JsonNode v = body.get(field);
    return v != null && v.isTextual() && !v.asText().isBlank() ? v.asText().trim() : null;
  }
}
