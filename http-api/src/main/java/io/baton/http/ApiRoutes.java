package io.baton.http;

import io.baton.actors.app.SessionAdmin;
import io.baton.http.admin.AdminRoutes;
import io.baton.http.admin.TenantRows;
import io.baton.http.errors.ApiError;
import io.baton.http.errors.ErrorHandling;
import io.baton.http.metrics.HttpMetrics;
import io.baton.http.metrics.MetricsRoutes;
import io.baton.http.openai.OpenAiRoutes;
import io.baton.http.responses.ResponseRoutes;
import io.baton.http.sessions.SessionRoutes;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Every route Baton serves, behind one error handling: health and metrics, {@code /v1} behind its
 * API keys (OpenAI's inference endpoints and Baton's sessions), and {@code /admin} behind the admin
 * token. Both kinds of credentials are checked here and only here.
 */
public final class ApiRoutes extends AllDirectives {
  private final io.baton.http.files.FileRoutes files;
  private final io.baton.http.batch.BatchRoutes batches;
  private final HttpSettings settings;
  private final BooleanSupplier ready;
  private final OpenAiRoutes openAi;
  private final SessionRoutes sessions;
  private final ResponseRoutes responses;
  private final AdminRoutes admin;
  private final MetricsRoutes metrics;

  public ApiRoutes(ActorSystem<?> system, HttpSettings settings, BooleanSupplier ready, HttpServices services) {
    this.settings = settings;
    this.ready = ready;
    HttpMetrics httpMetrics = services.httpMetrics();
    RequestSlots slots = new RequestSlots(settings.maxStreamsPerKey(), services.sessions().tenants(), httpMetrics);
    this.openAi = new OpenAiRoutes(system, services.sessions(), httpMetrics, settings, slots);
    this.sessions = new SessionRoutes(system, services.sessions(), openAi, slots);
    this.responses = new ResponseRoutes(system, services.sessions(), httpMetrics, settings, slots);
    this.admin = new AdminRoutes(system, settings, services.fleet(), new TenantRows(services.sessions(), slots),
        new SessionAdmin(system, services.sessions()));
    this.metrics = new MetricsRoutes(services.metrics());
    this.files = new io.baton.http.files.FileRoutes(system, services.files(), settings.storagePerKey());
    this.batches = new io.baton.http.batch.BatchRoutes(system, services.files());
  }

  public Route routes() {
    return new ErrorHandling().handle(() -> BrowserGuard.sameOriginOnly(() -> concat(
        new HealthRoutes(ready).routes(),
        pathPrefix("metrics", () -> settings.metricsOpen() ? metrics.routes() : adminOnly(metrics::routes)),
        pathPrefix("v1", () -> available(() -> authenticated(tenant -> concat(
            // Files stream to Cassandra, so they may be far larger than a JSON request.
            withSizeLimit(settings.maxFile(), () -> files.routes(tenant)),
            withSizeLimit(settings.maxBody(), () -> concat(openAi.routes(tenant), responses.routes(tenant),
                sessions.routes(tenant), batches.routes(tenant))))))),
        pathPrefix("admin", () -> withSizeLimit(settings.maxBody(), () -> adminOnly(admin::routes))))));
  }

  /** 503 with Retry-After until the node can take work (Cassandra, cluster and GPUs are up). */
  private Route available(java.util.function.Supplier<Route> inner) {
    return extractRequest(request -> ready.getAsBoolean() ? inner.get()
        : respondWithHeader(org.apache.pekko.http.javadsl.model.headers.RawHeader.create("Retry-After", "5"),
            () -> complete(Json.error(ApiError.unavailable("the node is starting and cannot take work yet; retry")))));
  }

  /** The caller's tenant from its bearer key; with no keys configured everyone is "default". */
  private Route authenticated(Function<String, Route> inner) {
    return optionalHeaderValueByName("Authorization", header -> {
      if (settings.apiKeys().isEmpty()) {
        return inner.apply("default");
      }
      Optional<String> key = bearer(header);
      String tenant = key.map(settings.apiKeys()::get).orElse(null);
      if (tenant == null) {
        return complete(Json.error(ApiError.unauthorized(key.isEmpty()
            ? "no API key: send the header 'Authorization: Bearer <key>'"
            : "incorrect API key")));
      }
      return inner.apply(tenant);
    });
  }

  /**
   * /admin needs the admin token as a bearer token; an API key is not enough. Without a token it
   * is open only in loopback dev mode: {@link HttpSettings} refuses to start a node that has API
   * keys or binds beyond loopback and has no admin token.
   */
  private Route adminOnly(Supplier<Route> inner) {
    if (settings.adminToken().isBlank()) {
      return settings.devMode() ? inner.get() : complete(Json.error(ApiError.unauthorized(
          "/admin is closed: this node has no admin token (baton.http.admin-token)")));
    }
    byte[] expected = settings.adminToken().getBytes(StandardCharsets.UTF_8);
    return optionalHeaderValueByName("Authorization", header -> {
      Optional<String> token = bearer(header);
      // Constant time, so the token cannot be guessed byte by byte from response times.
      if (token.isPresent() && MessageDigest.isEqual(expected, token.get().getBytes(StandardCharsets.UTF_8))) {
        return inner.get();
      }
      return complete(Json.error(ApiError.unauthorized(token.isEmpty()
          ? "no admin token: send the header 'Authorization: Bearer <admin token>'"
          : "incorrect admin token")));
    });
  }

  private static Optional<String> bearer(Optional<String> header) {
    return header.filter(h -> h.regionMatches(true, 0, "Bearer ", 0, 7)).map(h -> h.substring(7).trim());
  }
}
