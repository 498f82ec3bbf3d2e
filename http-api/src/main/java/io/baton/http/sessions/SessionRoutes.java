package io.baton.http.sessions;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.baton.actors.Printable;
import io.baton.actors.session.Attempt;
import io.baton.actors.app.ModelCatalog;
import io.baton.actors.app.SessionService;
import io.baton.actors.session.SessionSpec;
import io.baton.actors.session.SessionState;
import io.baton.http.Json;
import io.baton.http.RequestSlots;
import io.baton.http.errors.ApiError;
import io.baton.http.errors.ApiException;
import io.baton.http.openai.OpenAiRoutes;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /v1/sessions/{id}}: what became of a request (status, every attempt with its GPU, method
 * and failure, timings), its event history ({@code /events}), its stream again from any token
 * ({@code Last-Event-ID} or {@code ?after=N}), and cancellation.
 */
public final class SessionRoutes extends AllDirectives {
  private final SessionService sessions;
  private final OpenAiRoutes openAi;
  private final RequestSlots slots;
  private final SessionEvents events;

  public SessionRoutes(ActorSystem<?> system, SessionService sessions, OpenAiRoutes openAi, RequestSlots slots) {
    this.sessions = sessions;
    this.openAi = openAi;
    this.slots = slots;
    this.events = new SessionEvents(system);
  }

  /** The routes under /v1 for the caller's {@code tenant}: only its own sessions exist for it. */
  public Route routes(String tenant) {
    return pathPrefix("sessions", () -> pathPrefix(id -> concat(
        pathEnd(() -> concat(
            get(() -> onSuccess(known(id, tenant), s -> complete(Json.ok(view(s))))),
            delete(() -> onSuccess(sessions.cancel(id, tenant, "session", "cancelled by the client")
                .thenApply(ApiException::valueOf), s -> complete(Json.ok(view(s))))))),
        path("events", () -> get(() -> onSuccess(known(id, tenant).thenCompose(s -> events.history(id)),
            list -> complete(Json.ok(list))))),
        path("stream", () -> get(() -> optionalHeaderValueByName("Last-Event-ID", lastEventId ->
            parameterOptional("after", after -> onSuccess(known(id, tenant),
                s -> stream(s, tenant, from(lastEventId, after, s.tokenCount()))))))))));
  }

  /** A resumed stream holds one of the tenant's request slots while it is open, like the first one did. */
  private Route stream(SessionState s, String tenant, int fromIndex) {
    if (s.spec().api() == SessionSpec.Api.RESPONSE) {
      throw new ApiException(ApiError.invalid("id", "a response streams in the Responses API's shape: GET"
          + " /v1/responses/" + s.sessionId() + "?stream=true&starting_after=<sequence_number>"));
    }
    ModelCatalog.TextCodec codec = sessions.catalog().codec(s.spec().model()).orElseThrow(() -> new ApiException(
        ApiError.notFound("the session's model " + s.spec().model() + " is not served here", "model", "model_not_found")));
    Optional<RequestSlots.Slot> slot = slots.acquire(tenant);
    if (slot.isEmpty()) {
      return complete(Json.error(slots.refusal(tenant)));
    }
    return complete(HttpResponse.create().withEntity(HttpEntities.createChunked(
        ContentTypes.create(MediaTypes.TEXT_EVENT_STREAM), openAi.resumeStream(s, codec, fromIndex)
            .watchTermination((mat, done) -> {
              done.whenComplete((d, e) -> slot.get().release());
              return mat;
            }))));
  }

  /**
   * An SSE event id is the index of the last token the client has: resume after it. It must lie in
   * [-1, tokens]: -1 (or none) from the start, at most the last token the session has.
   */
  static int from(Optional<String> lastEventId, Optional<String> after, int tokens) {
    String param = lastEventId.isPresent() ? "Last-Event-ID" : "after";
    String raw = lastEventId.orElse(after.orElse("-1"));
    long last;
    try {
      last = Long.parseLong(raw.trim());
    } catch (NumberFormatException e) {
      throw new ApiException(ApiError.invalid(param, param + ": expected a token index (an SSE event id), got '"
          + Printable.of(raw) + "'"));
    }
    if (last < -1 || last > tokens) {
      throw new ApiException(ApiError.invalid(param, param + " must be between -1 and " + tokens
          + " (the session's tokens so far), was " + last));
    }
    return (int) last + 1;
  }

  /** The session, if it exists for {@code tenant}; any other is a 404, exactly like one that does not exist. */
  private CompletionStage<SessionState> known(String id, String tenant) {
    return sessions.describe(id, tenant, "session").thenApply(ApiException::valueOf);
  }

  public static ObjectNode view(SessionState s) {
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("id", s.sessionId());
    o.put("object", "baton.session");
    o.put("status", s.status().name().toLowerCase());
    o.put("model", s.spec().model());
    o.put("tenant", s.spec().tenant());
    o.put("class", s.spec().serviceClass().wireName());
    o.put("prompt_tokens", s.spec().promptTokens().size());
    o.put("max_tokens", s.spec().maxTokens());
    o.put("tokens", s.tokenCount());
    // checkpointUpto counts prompt plus generated tokens; the view counts generated ones like "tokens".
    o.put("checkpointed_tokens", Math.max(0, s.checkpointUpto() - s.spec().promptTokens().size()));
    o.put("checkpointed_context_tokens", s.checkpointUpto());
    o.put("end_reason", s.terminalReason());
    ArrayNode attempts = o.putArray("attempts");
    for (Attempt a : s.attempts()) {
      ObjectNode at = attempts.addObject();
      at.put("attempt", a.number());
      at.put("worker", a.workerId());
      at.put("method", a.method().name());
      at.put("resume_from", a.resumeFrom());
      at.put("placed_at", a.placedAt().toString());
      if (a.failure() != null) {
        ObjectNode f = at.putObject("failure");
        f.put("kind", a.failure().kind().name());
        f.put("xid", a.failure().xidCode());
        f.put("xid_class", a.failure().xidClass());
        f.put("detail", a.failure().detail());
      } else {
        at.putNull("failure");
      }
    }
    ObjectNode timings = o.putObject("timings");
    timings.put("submitted_at", String.valueOf(s.submittedAt()));
    Instant firstPlaced = s.attempts().isEmpty() ? null : s.attempts().get(0).placedAt();
    timings.put("queued_ms", millis(s.submittedAt(), firstPlaced));
    timings.put("time_to_first_token_ms", millis(s.submittedAt(), s.firstTokenAt()));
    timings.put("total_ms", millis(s.submittedAt(), s.endedAt()));
    return o;
  }

  private static Long millis(Instant from, Instant to) {
    return from == null || to == null ? null : Duration.between(from, to).toMillis();
  }
}
