package io.baton.workers.engine.remote;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;

/**
 * An HTTP server that answers every request with one recorded body, and keeps the request it got:
 * the engine client is tested against real HTTP, with the engines' own wire shapes.
 */
final class ReplayServer extends AllDirectives implements AutoCloseable {
  record Seen(String path, JsonNode body) {}

  private final AtomicReference<Seen> seen = new AtomicReference<>();
  private final ServerBinding binding;
  private volatile StatusCode status = StatusCodes.OK;
  private volatile String body = "";
  private volatile boolean eventStream = true;

  ReplayServer(ActorSystem<?> system) throws Exception {
    binding = Http.get(system).newServerAt("127.0.0.1", 0).bind(route()).toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** The next answers: an event stream with this exact body. */
  ReplayServer stream(String sse) {
    status = StatusCodes.OK;
    body = sse;
    eventStream = true;
    return this;
  }

  /** The next answers: a JSON body with this status. */
  ReplayServer answer(StatusCode code, String json) {
    status = code;
    body = json;
    eventStream = false;
    return this;
  }

  String url() {
    return "http://127.0.0.1:" + binding.localAddress().getPort();
  }

  Seen seen() {
    return seen.get();
  }

  private Route route() {
    return extractUnmatchedPath(path -> entity(Unmarshaller.entityToString(), text -> {
      try {
        seen.set(new Seen(path, EngineDialect.JSON.readTree(text.isEmpty() ? "{}" : text)));
      } catch (Exception e) {
        seen.set(new Seen(path, null));
      }
      return complete(HttpResponse.create().withStatus(status).withEntity(eventStream
          ? HttpEntities.create(ContentTypes.create(MediaTypes.TEXT_EVENT_STREAM), body)
          : HttpEntities.create(ContentTypes.APPLICATION_JSON, body)));
    }));
  }

  @Override
  public void close() throws Exception {
    binding.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
