package io.baton.http.responses;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.baton.actors.app.ModelCatalog;
import io.baton.actors.app.SessionService;
import io.baton.actors.session.SessionState;
import io.baton.http.HttpSettings;
import io.baton.http.Json;
import io.baton.http.JsonBody;
import io.baton.http.RequestSlots;
import io.baton.http.errors.ApiError;
import io.baton.http.errors.ApiException;
import io.baton.http.metrics.HttpMetrics;
import io.baton.http.openai.OpenAiRoutes;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * OpenAI's Responses API on durable sessions: {@code POST /v1/responses} (plain, streamed or in the
 * background), {@code GET /v1/responses/{id}} (the object, or its events after
 * {@code starting_after}, from any node), {@code /cancel}, {@code DELETE} and {@code /input_items}.
 * The journal is the response store: everything here reads the session.
 */
public final class ResponseRoutes extends AllDirectives {
  private static final String WHAT = "response";

  private final ActorSystem<?> system;
  private final SessionService sessions;
  private final HttpMetrics metrics;
  private final HttpSettings settings;
  private final RequestSlots slots;

  public ResponseRoutes(ActorSystem<?> system, SessionService sessions, HttpMetrics metrics, HttpSettings settings,
      RequestSlots slots) {
    this.system = system;
    this.sessions = sessions;
    this.metrics = metrics;
    this.settings = settings;
    this.slots = slots;
  }

  /** The routes under /v1 for the caller's {@code tenant}: only its own responses exist for it. */
  public Route routes(String tenant) {
    return pathPrefix("responses", () -> concat(
        pathEnd(() -> post(() -> create(tenant))),
        pathPrefix(id -> concat(
            pathEnd(() -> concat(get(() -> retrieve(id, tenant)), delete(() -> delete(id, tenant)))),
            path("cancel", () -> post(() -> cancel(id, tenant))),
            path("input_items", () -> get(() -> inputItems(id, tenant)))))));
  }

  /** The response object, or with {@code stream=true} its events after {@code starting_after}. */
  private Route retrieve(String id, String tenant) {
    return parameterOptional("stream", stream -> parameterOptional("starting_after", after ->
        optionalHeaderValueByName("Last-Event-ID", lastEventId -> onSuccess(known(id, tenant), s ->
            Boolean.parseBoolean(stream.orElse("false"))
                ? stream(s, tenant, ResponseCursor.after(after, lastEventId, s))
                : complete(Json.ok(ResponseObjects.response(s, text(s))))))));
  }

  private Route delete(String id, String tenant) {
    return onSuccess(known(id, tenant).thenCompose(s -> sessions.erase(id, tenant, WHAT, "deleted by the client"))
        .thenApply(ApiException::valueOf), s -> complete(Json.ok(deleted(id))));
  }

  /** Only a background response can be cancelled; one that has ended is answered as it is. */
  private Route cancel(String id, String tenant) {
    return onSuccess(known(id, tenant), s -> {
      if (!s.spec().response().background()) {
        throw new ApiException(ApiError.invalid(null, "only a background response can be cancelled; to stop one"
            + " that is not, close its connection"));
      }
      return onSuccess(sessions.cancel(id, tenant, WHAT, "cancelled by the client").thenApply(ApiException::valueOf),
          after -> complete(Json.ok(ResponseObjects.response(after, text(after)))));
    });
  }

  private Route inputItems(String id, String tenant) {
    return parameterOptional("limit", limit -> parameterOptional("order", order -> parameterOptional("after",
        cursor -> onSuccess(known(id, tenant), s -> complete(Json.ok(
            ResponseCursor.inputItems(s, limit, order, cursor)))))));
  }

  private Route create(String tenant) {
    long arrived = System.nanoTime();
    return JsonBody.json(body -> {
      ResponseRequest request = ResponseRequest.parse(body, settings);
      boolean background = request.session().response().background();
      return onSuccess(sessions.prepareTurn(request.session(), tenant).thenApply(ApiException::valueOf), prepared -> {
        // A background response outlives its request, so it holds a slot only while someone streams it.
        boolean holds = request.stream() || !background;
        Optional<RequestSlots.Slot> slot = holds ? slots.acquire(tenant) : Optional.empty();
        if (holds && slot.isEmpty()) {
          return complete(Json.error(slots.refusal(tenant)));
        }
        CompletionStage<SessionState> started = sessions.submit(prepared).thenApply(ApiException::valueOf)
            .thenCompose(submitted -> sessions.state(submitted.sessionId()));
        started.whenComplete((s, error) -> {
          if (error != null) {
            slot.ifPresent(RequestSlots.Slot::release);
          }
        });
        return onSuccess(started, s -> respondWithHeader(RawHeader.create(OpenAiRoutes.SESSION_HEADER, s.sessionId()),
            () -> {
              HttpMetrics.Tracker tracker = metrics.track(s.spec().model(), arrived, request.stream());
              if (request.stream()) {
                return sse(s, -1, tracker, slot, !background && settings.cancelOnDisconnect(), tenant);
              }
              if (background) {
                tracker.ended("background");
                return complete(Json.ok(ResponseObjects.response(s, "")));
              }
              CompletionStage<SessionState> ended = sessions.follow(s.sessionId(), Integer.MAX_VALUE)
                  .runWith(Sink.last(), system).thenCompose(end -> sessions.state(s.sessionId()));
              ended.whenComplete((e, error) -> {
                slot.ifPresent(RequestSlots.Slot::release);
                tracker.ended(e == null ? "lost" : e.status().name().toLowerCase());
              });
              return onSuccess(ended, e -> complete(Json.ok(ResponseObjects.response(e, text(e)))));
            }));
      });
    });
  }

  /** A stream asked for again (GET ?stream=true) holds one of the tenant's slots while it is open. */
  private Route stream(SessionState s, String tenant, long after) {
    codec(s); // a model this node does not serve is a 404 before a slot is taken
    Optional<RequestSlots.Slot> slot = slots.acquire(tenant);
    if (slot.isEmpty()) {
      return complete(Json.error(slots.refusal(tenant)));
    }
    return sse(s, after, HttpMetrics.Tracker.UNTRACKED, slot, false, tenant);
  }

  private Route sse(SessionState s, long after, HttpMetrics.Tracker tracker, Optional<RequestSlots.Slot> slot,
      boolean cancelOnDisconnect, String tenant) {
    AtomicBoolean closed = new AtomicBoolean();
    Source<ByteString, NotUsed> events = ResponseStream.events(sessions, s, codec(s), after, settings.keepAlive(),
        tracker, closed).watchTermination((mat, done) -> {
          done.whenComplete((d, error) -> {
            slot.ifPresent(RequestSlots.Slot::release);
            if (cancelOnDisconnect && !closed.get()) {
              // Nobody reads the rest of a foreground response, so the GPU should not make it.
              sessions.cancel(s.sessionId(), tenant, WHAT, "the client disconnected");
            }
          });
          return mat;
        });
    return complete(HttpResponse.create().withEntity(HttpEntities.createChunked(
        ContentTypes.create(MediaTypes.TEXT_EVENT_STREAM), events)));
  }

  /** The tenant's response; a chat or completion session is not a response, so it is not found here. */
  private CompletionStage<SessionState> known(String id, String tenant) {
    return sessions.describe(id, tenant, WHAT).thenApply(found -> {
      SessionState s = ApiException.valueOf(found);
      if (s.spec().response() == null) {
        throw new ApiException(ApiError.notFound("no response '" + s.sessionId() + "'", "id", "response_not_found"));
      }
      return s;
    });
  }

  private ModelCatalog.TextCodec codec(SessionState s) {
    return sessions.catalog().codec(s.spec().model()).orElseThrow(() -> new ApiException(ApiError.notFound(
        "the response's model " + s.spec().model() + " is not served here", "model", "model_not_found")));
  }

  private String text(SessionState s) {
    return codec(s).decode(s.tokens());
  }

  private static ObjectNode deleted(String id) {
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("id", id);
    o.put("object", "response.deleted");
    o.put("deleted", true);
    return o;
  }
}
