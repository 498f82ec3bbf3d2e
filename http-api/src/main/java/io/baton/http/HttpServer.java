package io.baton.http;

import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;

/** Binds Baton's routes. The binding is unbound by CoordinatedShutdown when the node stops. */
public final class HttpServer {
  private HttpServer() {}

  public static CompletionStage<ServerBinding> start(
      ActorSystem<?> system, HttpSettings settings, BooleanSupplier ready, HttpServices services) {
    return Http.get(system)
        .newServerAt(settings.host(), settings.port())
        .bind(new ApiRoutes(system, settings, ready, services).routes())
        .thenApply(binding -> binding.addToCoordinatedShutdown(java.time.Duration.ofSeconds(10), system));
  }
}
