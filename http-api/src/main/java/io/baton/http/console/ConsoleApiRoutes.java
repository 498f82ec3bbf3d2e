package io.baton.http.console;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.baton.actors.app.SessionService;
import io.baton.actors.feed.FeedEvent;
import io.baton.actors.feed.RecentSession;
import io.baton.actors.session.SessionState;
import io.baton.actors.session.SessionStatus;
import io.baton.http.HttpSettings;
import io.baton.http.Json;
import io.baton.http.errors.ApiError;
import io.baton.http.errors.ApiException;
import io.baton.http.sessions.SessionEvents;
import io.baton.http.sessions.SessionRoutes;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.marshalling.sse.EventStreamMarshalling;
import org.apache.pekko.http.javadsl.model.sse.ServerSentEvent;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The admin endpoints the console reads (the admin token is checked by the caller): the live
 * event feed ({@code /admin/events}, SSE with {@code Last-Event-ID} resume), the node and whether
 * chaos is on, pools, recent sessions and one session in full, the cluster's topology and the
 * node's throughput.
 */
public final class ConsoleApiRoutes extends AllDirectives {
  /** SSE comments keep proxies and idle timeouts from closing a quiet feed. */
  private static final Duration HEARTBEAT = Duration.ofSeconds(10);

  private final HttpSettings settings;
  private final ConsoleData data;
  private final SessionService sessions;
  private final SessionEvents events;
  private final Topology topology;
  private final Throughput throughput;
  private final String version;

  public ConsoleApiRoutes(ActorSystem<?> system, HttpSettings settings, ConsoleData data, SessionService sessions,
      Throughput throughput, String version) {
    this.settings = settings;
    this.data = data;
    this.sessions = sessions;
    this.events = new SessionEvents(system);
    this.topology = new Topology(system, data);
    this.throughput = throughput;
    this.version = version;
  }

  public Route routes() {
    return concat(
        path("events", () -> get(() -> optionalHeaderValueByName("Last-Event-ID", last -> completeOK(
            data.follow(last).map(FeedJson::sse).keepAlive(HEARTBEAT, ServerSentEvent::heartbeat),
            EventStreamMarshalling.toEventStream())))),
        path("overview", () -> get(() -> complete(Json.ok(overview())))),
        path("pools", () -> get(() -> onSuccess(data.pools(), pools -> complete(Json.ok(list(pools)))))),
        path("topology", () -> get(() -> onSuccess(topology.describe(), t -> complete(Json.ok(t))))),
        path("throughput", () -> get(() -> onSuccess(throughput.points(), t -> complete(Json.ok(t))))),
        pathPrefix("sessions", () -> concat(
            pathEnd(() -> get(() -> parameterOptional("tenant", tenant -> parameterOptional("model", model ->
                parameterOptional("status", status -> onSuccess(data.sessions(),
                    rows -> complete(Json.ok(sessions(rows, tenant, model, status))))))))),
            pathPrefix(id -> concat(
                pathEnd(() -> get(() -> onSuccess(session(id), s -> complete(Json.ok(s))))),
                path("events", () -> get(() -> onSuccess(session(id).thenCompose(s -> events.history(id)),
                    list -> complete(Json.ok(list))))))))));
  }

  private ObjectNode overview() {
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("object", "baton.overview");
    o.put("node", topology.selfNode());
    o.put("version", version);
    o.put("chaos", settings.chaos());
    return o;
  }

  private static ObjectNode list(List<FeedEvent.PoolLevel> pools) {
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("object", "list");
    ArrayNode rows = o.putArray("data");
    for (FeedEvent.PoolLevel p : pools) {
      ObjectNode row = Json.MAPPER.valueToTree(p);
      row.remove("type"); // the feed's type tag; this list holds one type
      rows.add(row);
    }
    return o;
  }

  private static ObjectNode sessions(List<RecentSession> rows, Optional<String> tenant, Optional<String> model,
      Optional<String> status) {
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("object", "list");
    ArrayNode data = o.putArray("data");
    rows.stream()
        .filter(r -> tenant.map(t -> t.isBlank() || t.equals(r.tenant())).orElse(true))
        .filter(r -> model.map(m -> m.isBlank() || m.equals(r.model())).orElse(true))
        .filter(r -> status.map(s -> s.isBlank() || s.equals(r.status())).orElse(true))
        .forEach(r -> data.add(FeedJson.row(r)));
    return o;
  }

  /**
   * Any tenant's session, with its text so far; an erased one does not exist here either, and a
   * response the client asked not to store shows no text.
   */
  private CompletionStage<ObjectNode> session(String id) {
    return sessions.state(id).exceptionally(e -> {
      throw new ApiException(ApiError.unavailable("session " + id + " did not answer in time; retry"));
    }).thenApply(s -> {
      if (s.status() == SessionStatus.NEW || s.erased()) {
        throw new ApiException(ApiError.notFound("no session '" + id + "'", "id", "session_not_found"));
      }
      ObjectNode view = SessionRoutes.view(s);
      view.put("text", text(s));
      return view;
    });
  }

  private String text(SessionState s) {
    if (s.spec().response() != null && !s.spec().response().store()) {
      return null;
    }
    return sessions.catalog().codec(s.spec().model()).map(c -> c.decode(s.tokens())).orElse(null);
  }
}
