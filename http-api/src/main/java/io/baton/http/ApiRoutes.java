package io.baton.http;

import io.baton.actors.app.SessionAdmin;
import io.baton.http.admin.AdminRoutes;
import io.baton.http.batch.BatchRoutes;
import io.baton.http.console.ConsoleApiRoutes;
import io.baton.http.console.ConsoleRoutes;
import io.baton.http.console.Throughput;
import io.baton.http.console.Version;
import io.baton.http.admin.TenantRows;
import io.baton.http.errors.ApiError;
import io.baton.http.errors.ErrorHandling;
import io.baton.http.files.FileRoutes;
import io.baton.http.metrics.HttpMetrics;
import io.baton.http.metrics.MetricsRoutes;
import io.baton.http.metrics.RequestMetrics;
import io.baton.http.openai.OpenAiRoutes;
import io.baton.http.responses.ResponseRoutes;
import io.baton.http.sessions.SessionRoutes;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Every route Baton serves, behind one error handling: health and metrics, {@code /v1} behind its
 * API keys (OpenAI's inference endpoints and Baton's sessions), and {@code /admin} behind the admin
 * token. Both kinds of credentials are checked here and only here.
 */
public final class ApiRoutes extends AllDirectives {
  private final FileRoutes files;
  private final BatchRoutes batches;
  private final HttpSettings settings;
  private final BooleanSupplier ready;
  private final OpenAiRoutes openAi;
  private final SessionRoutes sessions;
  private final ResponseRoutes responses;
  private final AdminRoutes admin;
  private final MetricsRoutes metrics;
  private final AdminAuth auth;
  private final HealthRoutes health;
  /** The operator console's static page, outside the admin token (it holds no data; see ConsoleRoutes). */
  private final ConsoleRoutes console = new ConsoleRoutes();
  private final ConsoleApiRoutes consoleApi;
  private final RequestMetrics requests;

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
    this.requests = new RequestMetrics(services.metrics());
    this.auth = new AdminAuth(settings);
    this.health = new HealthRoutes(system);
    this.files = new FileRoutes(system, services.files(), settings.storagePerKey());
    this.batches = new BatchRoutes(system, services.files());
    this.consoleApi = new ConsoleApiRoutes(system, settings, services.console(), services.sessions(),
        Throughput.start(system, services.metrics()), Version.of());
  }

  public Route routes() {
    return requests.measured(() -> new ErrorHandling().handle(() -> BrowserGuard.sameOriginOnly(() -> concat(
        health.routes(),
        pathPrefix("console", () -> console.routes()),
        pathPrefix("metrics", () -> settings.metricsOpen() ? metrics.routes() : auth.adminOnly(metrics::routes)),
        pathPrefix("v1", () -> available(() -> authenticated(tenant -> concat(
            // Files stream to Cassandra, so they may be far larger than a JSON request.
            withSizeLimit(settings.maxFile(), () -> files.routes(tenant)),
            withSizeLimit(settings.maxBody(), () -> concat(openAi.routes(tenant), responses.routes(tenant),
                sessions.routes(tenant), batches.routes(tenant))))))),
        pathPrefix("admin", () -> withSizeLimit(settings.maxBody(),
            () -> auth.adminOnly(() -> concat(admin.routes(), consoleApi.routes()))))))));
  }

  /** 503 with Retry-After until the node can take work (Cassandra, cluster and GPUs are up). */
  private Route available(Supplier<Route> inner) {
    return extractRequest(request -> ready.getAsBoolean() ? inner.get()
        : respondWithHeader(RawHeader.create("Retry-After", "5"),
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

  private static Optional<String> bearer(Optional<String> header) {
    return AdminAuth.bearer(header);
  }
}
