package io.baton.http;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;

/**
 * Binds Baton's API routes, unbound by CoordinatedShutdown. Probes have their own binding on the
 * management port (pekko-management), with its own connection limit, so they are answered even
 * while slow or hostile clients hold every connection of the API's.
 */
public final class HttpServer {
  private static final Duration UNBIND = Duration.ofSeconds(10);

  private HttpServer() {}

  public static CompletionStage<ServerBinding> start(
      ActorSystem<?> system, HttpSettings settings, BooleanSupplier ready, HttpServices services) {
    return Http.get(system)
        .newServerAt(settings.host(), settings.port())
        .bind(new ApiRoutes(system, settings, ready, services).routes())
        .thenApply(binding -> binding.addToCoordinatedShutdown(UNBIND, system));
  }
}
