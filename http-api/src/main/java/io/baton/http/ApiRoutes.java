package io.baton.http;

import io.baton.http.errors.ApiError;
import io.baton.http.errors.ErrorHandling;
import io.baton.http.openai.OpenAiRoutes;
import io.baton.http.sessions.SessionGateway;
import io.baton.http.sessions.SessionRoutes;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Every route Baton serves, behind one error handling: health, then {@code /v1} behind its API
 * keys (OpenAI's inference endpoints and Baton's sessions).
 */
public final class ApiRoutes extends AllDirectives {
  private final HttpSettings settings;
  private final BooleanSupplier ready;
  private final OpenAiRoutes openAi;
  private final SessionRoutes sessions;

  public ApiRoutes(ActorSystem<?> system, HttpSettings settings, BooleanSupplier ready, ModelCatalog catalog) {
    this.settings = settings;
    this.ready = ready;
    SessionGateway gateway = new SessionGateway(system, catalog, settings);
    this.openAi = new OpenAiRoutes(system, gateway, settings);
    this.sessions = new SessionRoutes(gateway, openAi);
  }

  public Route routes() {
    return new ErrorHandling().handle(() -> concat(
        new HealthRoutes(ready).routes(),
        pathPrefix("v1", () -> withSizeLimit(settings.maxBody(), () -> authenticated(tenant -> concat(
            openAi.routes(tenant),
            sessions.routes()))))));
  }

  /** The caller's tenant from its bearer key; with no keys configured everyone is "default". */
  private Route authenticated(Function<String, Route> inner) {
    return optionalHeaderValueByName("Authorization", header -> {
      if (settings.apiKeys().isEmpty()) {
        return inner.apply("default");
      }
      Optional<String> key = header.filter(h -> h.regionMatches(true, 0, "Bearer ", 0, 7))
          .map(h -> h.substring(7).trim());
      String tenant = key.map(settings.apiKeys()::get).orElse(null);
      if (tenant == null) {
        return complete(Json.error(ApiError.unauthorized(key.isEmpty()
            ? "no API key: send the header 'Authorization: Bearer <key>'"
            : "incorrect API key")));
      }
      return inner.apply(tenant);
    });
  }
}
