package io.baton.http;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;

/**
 * Binds Baton's routes, and the health routes alone on {@code baton.http.health-port} when set: a
 * binding of their own has its own connection limit, so probes are answered even while slow or
 * hostile clients hold every connection of the API's. Both are unbound by CoordinatedShutdown.
 */
public final class HttpServer {
  private static final Duration UNBIND = Duration.ofSeconds(10);

  private HttpServer() {}

  public static CompletionStage<ServerBinding> start(
      ActorSystem<?> system, HttpSettings settings, BooleanSupplier ready, HttpServices services) {
    CompletionStage<ServerBinding> api = Http.get(system)
        .newServerAt(settings.host(), settings.port())
        .bind(new ApiRoutes(system, settings, ready, services).routes())
        .thenApply(binding -> binding.addToCoordinatedShutdown(UNBIND, system));
    if (settings.healthPort() < 0) {
      return api;
    }
    return api.thenCompose(binding -> Http.get(system)
        .newServerAt(settings.host(), settings.healthPort())
        .bind(new HealthRoutes(ready).routes())
        .thenApply(health -> {
          health.addToCoordinatedShutdown(UNBIND, system);
          system.log().info("health probes also on {}", health.localAddress());
          return binding;
        }));
  }
}
