package io.baton.workers.engine.remote;

import io.baton.workers.engine.EngineCapabilities;
import io.baton.workers.engine.EngineLostException;
import io.baton.workers.engine.Generation;
import io.baton.workers.engine.GenerationRequest;
import io.baton.workers.engine.InferenceEngine;
import io.baton.workers.engine.ModelInfo;
import io.baton.workers.engine.Tokenizer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.settings.ConnectionPoolSettings;
import org.apache.pekko.http.javadsl.unmarshalling.sse.EventStreamUnmarshalling;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * A GPU's engine server (vLLM, SGLang, llama.cpp or {@code baton engine serve}), driven over HTTP
 * with pekko-http's client: a generation is one streamed request whose events are read as the
 * runner steps, so a node holds hundreds of remote generations without a thread for any of them.
 * Resumes recompute from the durable tokens, sent as token ids; a server's KV cache cannot be
 * exported, but its prefix cache may still give the prefix back (reported as cached tokens).
 */
public final class RemoteEngine implements InferenceEngine {
  private final RemoteEngineSettings settings;
  private final ModelInfo model;
  private final Tokenizer tokenizer;
  private final ActorSystem<?> system;
  private final Http http;
  private final ConnectionPoolSettings pool;
  private final Materializer materializer;
  private final EngineDialect dialect;
  private final Long pid;

  public RemoteEngine(RemoteEngineSettings settings, ModelInfo model, Tokenizer tokenizer, ActorSystem<?> system) {
    this(settings, model, tokenizer, system, null);
  }

  /** @param pid the engine server's process when this node started it, else null */
  public RemoteEngine(RemoteEngineSettings settings, ModelInfo model, Tokenizer tokenizer, ActorSystem<?> system,
      Long pid) {
    this.pid = pid;
    this.settings = settings;
    this.model = model;
    this.tokenizer = tokenizer;
    this.system = system;
    this.http = Http.get(system);
    // Every running generation holds one connection for its whole stream.
    this.pool = ConnectionPoolSettings.create(Adapter.toClassic(system))
        .withMaxConnections(settings.maxConnections())
        .withMaxOpenRequests(Integer.highestOneBit(settings.maxConnections() * 2 - 1) * 2);
    this.materializer = Materializer.matFromSystem(system);
    this.dialect = settings.kind().dialect();
  }

  public RemoteEngineSettings settings() {
    return settings;
  }

  /** The engine server's pid when this node started it; null for one that runs on its own. */
  public Long pid() {
    return pid;
  }

  @Override
  public ModelInfo model() {
    return model;
  }

  @Override
  public EngineCapabilities capabilities() {
    return EngineCapabilities.recomputeOnly();
  }

  @Override
  public Tokenizer tokenizer() {
    return tokenizer;
  }

  @Override
  public Generation start(GenerationRequest request) {
    try {
      return startAsync(request, model.maxContext() - request.contextLength()).toCompletableFuture()
          .get(settings.stallTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new EngineLostException(name() + ": " + e.getCause(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new EngineLostException(name() + ": interrupted", e);
    } catch (TimeoutException e) {
      throw new EngineLostException(name() + " did not answer within " + settings.stallTimeout().toMillis() + " ms", e);
    }
  }

  @Override
  public CompletionStage<Generation> startAsync(GenerationRequest request, int maxNewTokens) {
    List<Integer> context = new ArrayList<>(request.prompt());
    context.addAll(request.generated());
    EngineDialect.Ask ask = new EngineDialect.Ask(settings.servedModel(), context, request.generated().size(),
        maxNewTokens, request.sampling());
    HttpRequest post = HttpRequest.POST(settings.baseUrl() + dialect.generatePath())
        .withEntity(ContentTypes.APPLICATION_JSON, dialect.generateBody(ask).toString());
    // A server that takes the connection but never answers is as lost as one that refuses it.
    return send(post).toCompletableFuture().orTimeout(settings.stallTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .exceptionally(error -> {
          Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
          throw new CompletionException(cause instanceof TimeoutException
              ? new EngineLostException(name() + " did not answer within " + settings.stallTimeout().toMillis() + " ms",
                  cause) : cause);
        })
        .thenCompose(response -> {
      if (!response.status().isSuccess()) {
        return refused(response);
      }
      EngineDialect.StreamReader reader = dialect.reader();
      return EventStreamUnmarshalling.fromEventsStream(Adapter.toClassic(system))
          .unmarshal(response.entity(), materializer)
          .whenComplete((events, error) -> {
            if (error != null) {
              response.discardEntityBytes(materializer); // not an event stream: free the connection
            }
          })
          .thenApply(events -> {
            Generation.PrefillStats prefill =
                new Generation.PrefillStats(context.size(), 0, 0, context.size(), Duration.ZERO);
            return (Generation) new RemoteGeneration(
                events.map(e -> reader.read(e.getData())).runWith(Sink.queue(), materializer),
                prefill, request.generated().size(), settings.stallTimeout(), name());
          });
    });
  }

  /** Whether the engine answers its health route with a 2xx within the timeout; never fails. */
  @Override
  public CompletionStage<Boolean> healthy(Duration timeout) {
    return send(HttpRequest.GET(settings.baseUrl() + dialect.healthPath()))
        .toCompletableFuture().orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .handle((response, error) -> {
          if (error != null) {
            return false;
          }
          response.discardEntityBytes(materializer);
          return response.status().isSuccess();
        });
  }

  private CompletionStage<HttpResponse> send(HttpRequest request) {
    return http.singleRequest(request, http.defaultClientHttpsContext(), pool, system.classicSystem().log())
        .exceptionally(error -> {
          throw new CompletionException(new EngineLostException(name() + " cannot be reached: "
              + (error instanceof CompletionException && error.getCause() != null ? error.getCause() : error), error));
        });
  }

  /** A 4xx is the engine refusing this request; anything else means the engine is not serving. */
  private CompletionStage<Generation> refused(HttpResponse response) {
    int status = response.status().intValue();
    return response.entity().toStrict(settings.stallTimeout().toMillis(), materializer)
        .handle((strict, error) -> {
          String body = strict == null ? "" : strict.getData().utf8String();
          String text = name() + " answered " + status + ": " + body.substring(0, Math.min(body.length(), 500));
          throw new CompletionException(status >= 400 && status < 500
              ? new IllegalArgumentException(text) : new EngineLostException(text, null));
        });
  }

  private String name() {
    return settings.kind().id() + " engine at " + settings.baseUrl();
  }

  /**
   * Runs the engine's reset command (when it has one: {@code nvidia-smi -r -i {index}}, {@code
   * systemctl restart vllm@{index}}, a script), then waits for the engine to answer its health route.
   * Blocks: the agent calls it off its own thread.
   *
   * @throws IllegalStateException when the command fails or times out, or the engine does not come back
   */
  @Override
  public void reset() {
    EngineReset.run(settings, name(), this::healthy);
  }
}
