package io.baton.http.openai;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.baton.actors.app.SessionService;
import io.baton.actors.session.SessionSpec;
import io.baton.actors.session.SessionState;
import io.baton.http.HttpSettings;
import io.baton.http.Json;
import io.baton.http.JsonBody;
import io.baton.actors.app.ModelCatalog;
import io.baton.http.RequestSlots;
import io.baton.http.errors.ApiError;
import io.baton.http.errors.ApiException;
import io.baton.http.metrics.HttpMetrics;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * OpenAI's inference endpoints: {@code /v1/completions}, {@code /v1/chat/completions} (streaming or
 * not) and {@code /v1/models}. An application using an official OpenAI client works by changing
 * its base URL. The completion id is the Baton session id, also sent as {@code x-baton-session-id}.
 */
public final class OpenAiRoutes extends AllDirectives {
  public static final String SESSION_HEADER = "x-baton-session-id";

  private final ActorSystem<?> system;
  private final SessionService sessions;
  private final HttpMetrics metrics;
  private final HttpSettings settings;
  private final RequestSlots slots;

  public OpenAiRoutes(ActorSystem<?> system, SessionService sessions, HttpMetrics metrics, HttpSettings settings,
      RequestSlots slots) {
    this.system = system;
    this.sessions = sessions;
    this.metrics = metrics;
    this.settings = settings;
    this.slots = slots;
  }

  /** The routes under /v1; {@code tenant} is the caller's API key name. */
  public Route routes(String tenant) {
    return concat(
        path("completions", () -> post(() -> completion(false, tenant))),
        pathPrefix("chat", () -> path("completions", () -> post(() -> completion(true, tenant)))),
        pathPrefix("models", () -> concat(
            pathEnd(() -> get(() -> complete(Json.ok(models())))),
            path(id -> get(() -> complete(Json.ok(model(id))))))));
  }

  private Route completion(boolean chat, String tenant) {
    long arrived = System.nanoTime();
    return JsonBody.json(body -> {
      CompletionRequest request = CompletionRequest.parse(body, chat, settings);
      // Every check that can refuse the request runs before it takes a slot.
      SessionService.Prepared prepared = ApiException.valueOf(sessions.prepare(request.toSessionRequest(), tenant));
      long created = Instant.now().getEpochSecond();
      Optional<RequestSlots.Slot> taken = slots.acquire(tenant);
      if (taken.isEmpty()) {
        return complete(Json.error(slots.refusal(tenant)));
      }
      RequestSlots.Slot slot = taken.get();
      CompletionStage<SessionService.Submitted> submit;
      try {
        submit = sessions.submit(prepared).thenApply(ApiException::valueOf);
      } catch (RuntimeException e) {
        slot.release();
        throw e;
      }
      submit.whenComplete((ok, error) -> {
        if (error != null) {
          slot.release();
        }
      });
      return onSuccess(submit, submitted -> {
        HttpMetrics.Tracker tracker = metrics.track(submitted.spec().model(), arrived, request.stream());
        CompletionStream stream = new CompletionStream(sessions, submitted, request, created, tracker);
        RawHeader id = RawHeader.create(SESSION_HEADER, submitted.sessionId());
        if (request.stream()) {
          return respondWithHeader(id, () -> complete(HttpResponse.create().withEntity(HttpEntities.createChunked(
              ContentTypes.create(MediaTypes.TEXT_EVENT_STREAM), stream.sse(0, List.of(), settings.keepAlive())
                  .watchTermination((mat, done) -> {
                    done.whenComplete((d, e) -> {
                      slot.release();
                      if (settings.cancelOnDisconnect() && !stream.ended()) {
                        // on-disconnect = cancel: nobody reads the rest, so the GPU should not make it.
                        sessions.cancel(submitted.sessionId(), tenant, "session", "the client disconnected");
                      }
                    });
                    return mat;
                  })))));
        }
        CompletionStage<ObjectNode> collected = stream.collect(system);
        collected.whenComplete((b, e) -> slot.release());
        return respondWithHeader(id, () -> onSuccess(collected, b -> complete(Json.ok(b))));
      });
    });
  }

  private ObjectNode models() {
    ObjectNode list = Json.MAPPER.createObjectNode();
    list.put("object", "list");
    var data = list.putArray("data");
    sessions.catalog().models().forEach(m -> data.add(card(m)));
    return list;
  }

  private ObjectNode model(String id) {
    return sessions.catalog().model(id).map(OpenAiRoutes::card).orElseThrow(() -> new ApiException(ApiError.notFound(
        "the model '" + id + "' does not exist", "model", "model_not_found")));
  }

  private static ObjectNode card(ModelCatalog.Model m) {
    ObjectNode card = Json.MAPPER.createObjectNode();
    card.put("id", m.id());
    card.put("object", "model");
    card.put("created", m.created());
    card.put("owned_by", m.ownedBy());
    card.put("max_context", m.maxContext());
    return card;
  }

  /**
   * The SSE stream of an existing session from token {@code fromIndex}: how
   * {@code GET /v1/sessions/{id}/stream} resumes a dropped stream, on any node, during or after
   * the generation. The stop sequences come from the session's spec; the usage option is not kept.
   */
  public Source<ByteString, NotUsed> resumeStream(SessionState state, ModelCatalog.TextCodec codec, int fromIndex) {
    SessionService.Submitted submitted = new SessionService.Submitted(state.sessionId(), state.spec(), codec);
    CompletionRequest request = new CompletionRequest(state.spec().api() == SessionSpec.Api.CHAT, state.spec().model(),
        "", null, state.spec().maxTokens(), 0, 1, null, true, false, state.spec().stop(), null, null);
    long created = state.submittedAt() == null ? 0 : state.submittedAt().getEpochSecond();
    return new CompletionStream(sessions, submitted, request, created, HttpMetrics.Tracker.UNTRACKED)
        .sse(fromIndex, state.tokens().subList(0, Math.min(fromIndex, state.tokens().size())), settings.keepAlive());
  }
}
