package io.baton.http;

import java.util.function.BooleanSupplier;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Liveness and readiness for load balancers and Kubernetes probes. Alive means the process serves
 * HTTP; ready means it can take work: the journal answers and the node is an Up cluster member.
 */
public final class HealthRoutes extends AllDirectives {
  private final BooleanSupplier ready;

  public HealthRoutes(BooleanSupplier ready) {
    this.ready = ready;
  }

  public Route routes() {
    return pathPrefix("health", () -> concat(
        path("alive", () -> get(() -> json(StatusCodes.OK, "{\"status\":\"alive\"}"))),
        path("ready", () -> get(() -> ready.getAsBoolean()
            ? json(StatusCodes.OK, "{\"status\":\"ready\"}")
            : json(StatusCodes.SERVICE_UNAVAILABLE, "{\"status\":\"starting\"}")))));
  }

  private Route json(org.apache.pekko.http.javadsl.model.StatusCode status, String body) {
    return complete(status, HttpEntities.create(ContentTypes.APPLICATION_JSON, body));
  }
}
