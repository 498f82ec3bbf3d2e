package io.baton.http.errors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.pattern.AskTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Failures a route does not expect still reach the client as OpenAI error objects, never a stack trace. */
class ErrorHandlingTest extends AllDirectives {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static ActorSystem<Void> system;
  private static ServerBinding binding;

  @BeforeAll
  static void start() throws Exception {
    system = ActorSystem.create(Behaviors.empty(), "errors",
        ConfigFactory.parseString("pekko.actor.provider = local").withFallback(ConfigFactory.load()));
    ErrorHandling errors = new ErrorHandling();
    ErrorHandlingTest d = new ErrorHandlingTest();
    Route routes = errors.handle(() -> d.concat(
        d.path("timeout", () -> d.failWith(new java.util.concurrent.CompletionException(
            new AskTimeoutException("Ask timed out on [EntityRef(Session, s-1)] after [5000 ms]")))),
        d.path("boom", () -> d.failWith(new IllegalStateException("secret internals")))));
    binding = Http.get(system).newServerAt("127.0.0.1", 0).bind(routes).toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() {
    system.terminate();
  }

  @Test
  void anEntityThatDoesNotAnswerIsA503TheClientMayRetry() throws Exception {
    HttpResponse<String> r = get("/timeout");
    assertEquals(503, r.statusCode());
    JsonNode error = JSON.readTree(r.body()).path("error");
    assertEquals("service_unavailable", error.path("code").asText());
    assertTrue(error.path("message").asText().contains("retry"), r.body());
    assertFalse(r.body().contains("EntityRef"), "internal actor names stay in the log: " + r.body());
  }

  @Test
  void anythingElseIsA500WithoutItsMessage() throws Exception {
    HttpResponse<String> r = get("/boom");
    assertEquals(500, r.statusCode());
    assertEquals("server_error", JSON.readTree(r.body()).path("error").path("type").asText());
    assertFalse(r.body().contains("secret internals"), r.body());
  }

  private static HttpResponse<String> get(String path) throws Exception {
    int port = binding.localAddress().getPort();
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
