package io.baton.http;

import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.management.HealthCheckSettings;
import org.apache.pekko.management.javadsl.CheckResult;
import org.apache.pekko.management.javadsl.HealthChecks;

/**
 * Liveness and readiness, answered by pekko-management's health checks (configured under {@code
 * pekko.management.health-checks}): {@code /alive} and {@code /ready} on the management port, and
 * the aliases {@code /health/alive} and {@code /health/ready} on the API port, for load balancers
 * that only reach that one.
 */
public final class HealthRoutes extends AllDirectives {
  private final HealthChecks checks;

  public HealthRoutes(ActorSystem<?> system) {
    this((ExtendedActorSystem) system.classicSystem());
  }

  public HealthRoutes(ExtendedActorSystem classic) {
    this.checks = checks(classic);
  }

  /** pekko-management's checks as configured: the one way every reader of readiness builds them. */
  public static HealthChecks checks(ExtendedActorSystem classic) {
    return new HealthChecks(classic,
        HealthCheckSettings.create(classic.settings().config().getConfig("pekko.management.health-checks")));
  }

  /** The API port's aliases. */
  public Route routes() {
    return pathPrefix("health", this::probes);
  }

  /**
   * {@code /alive} and {@code /ready}: 200, or 503 with the failing check (pekko-management's own
   * health route answers 500, which reads as a server fault rather than "not ready").
   */
  public Route probes() {
    return concat(
        path("alive", () -> get(() -> answer(checks::aliveResult, "alive"))),
        path("ready", () -> get(() -> answer(checks::readyResult, "ready"))));
  }

  private Route answer(Supplier<CompletionStage<CheckResult>> check, String ok) {
    return onSuccess(check.get(), result -> result.isSuccess()
        ? json(StatusCodes.OK, Json.write(Map.of("status", ok)))
        : json(StatusCodes.SERVICE_UNAVAILABLE,
            Json.write(Map.of("status", "not " + ok, "reason", result.failure().orElse("a check failed")))));
  }

  private Route json(StatusCode status, String body) {
    return complete(status, HttpEntities.create(ContentTypes.APPLICATION_JSON, body));
  }
}
