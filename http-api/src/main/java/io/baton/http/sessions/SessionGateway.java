package io.baton.http.sessions;

import io.baton.actors.session.Session;
import io.baton.actors.session.SessionCommand;
import io.baton.actors.session.SessionFollower;
import io.baton.actors.session.SessionSpec;
import io.baton.actors.session.SessionState;
import io.baton.http.HttpSettings;
import io.baton.http.ModelCatalog;
import io.baton.http.errors.ApiError;
import io.baton.http.errors.ApiException;
import io.baton.http.metrics.HttpMetrics;
import io.baton.http.openai.CompletionRequest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.typed.javadsl.ActorSource;

/** How the HTTP layer reaches sessions: submit, follow, inspect, cancel. */
public final class SessionGateway {
  private static final Duration ASK_TIMEOUT = Duration.ofSeconds(10);
  private static final SecureRandom SEEDS = new SecureRandom();

  /** A submitted request: its session, the spec it runs with and how its tokens read as text. */
  public record Submitted(String sessionId, SessionSpec spec, ModelCatalog.TextCodec codec) {}

  private final ActorSystem<?> system;
  private final ModelCatalog catalog;
  private final HttpSettings settings;
  private final HttpMetrics metrics;

  public SessionGateway(ActorSystem<?> system, ModelCatalog catalog, HttpSettings settings, HttpMetrics metrics) {
    this.system = system;
    this.catalog = catalog;
    this.settings = settings;
    this.metrics = metrics;
  }

  public HttpMetrics metrics() {
    return metrics;
  }

  public ModelCatalog catalog() {
    return catalog;
  }

  /** A request checked against its model and turned into a session spec, not yet submitted. */
  public record Prepared(SessionSpec spec, ModelCatalog.TextCodec codec) {}

  /** Checks the request against the model; nothing is persisted for one that fails. */
  public Prepared prepare(CompletionRequest r, String tenant) {
    return prepare(r, tenant, null, SEEDS.nextLong() & Long.MAX_VALUE);
  }

  /** Submits a checked request as a new session. */
  public CompletionStage<Submitted> submit(Prepared prepared, boolean chat) {
    return submitAs(SessionIds.fresh(chat), prepared);
  }

  /**
   * @param batchId the batch the session belongs to, or null
   * @param seedIfAbsent the seed when the request has none; a batch derives it from the line, so a
   *     replayed line submits the very same spec
   */
  public Prepared prepare(CompletionRequest r, String tenant, String batchId, long seedIfAbsent) {
    ModelCatalog.Model model = catalog.model(r.model()).orElseThrow(() -> new ApiException(ApiError.notFound(
        "the model '" + r.model() + "' does not exist; GET /v1/models lists the served models", "model",
        "model_not_found")));
    ModelCatalog.TextCodec codec = catalog.codec(model.id()).orElseThrow();
    String text = r.chat() ? codec.chatFormat().orElseThrow(() -> new ApiException(ApiError.invalid("model",
        // A wrong template would answer plausibly but worse: refuse rather than guess.
        model.id() + " has no chat format configured (baton.workers.models[].chat); use /v1/completions with the"
            + " prompt in the model's own format"))).render(r.messages()) : r.prompt();
    List<Integer> prompt = codec.encode(text);
    String promptParam = r.chat() ? "messages" : "prompt";
    if (prompt.isEmpty()) {
      throw new ApiException(ApiError.invalid(promptParam, "the prompt is empty"));
    }
    int room = model.maxContext() - prompt.size();
    if (room < 1) {
      throw new ApiException(ApiError.invalid(promptParam, "the prompt has " + prompt.size()
          + " tokens; " + model.id() + "'s context is " + model.maxContext()));
    }
    int maxTokens = r.maxTokens() != null ? r.maxTokens() : Math.min(room, settings.maxTokens());
    if (maxTokens > room) {
      throw new ApiException(ApiError.invalid("max_tokens", "the prompt's " + prompt.size() + " tokens plus max_tokens "
          + maxTokens + " exceed " + model.id() + "'s context of " + model.maxContext()));
    }
    long seed = r.seed() != null ? r.seed() : seedIfAbsent;
    SessionSpec spec = new SessionSpec(model.id(), prompt, new SessionSpec.Sampling(r.temperature(), r.topP(), seed),
        maxTokens, tenant, 0, batchId, r.stop());
    return new Prepared(spec, codec);
  }

  /** Records the session; a repeat with the same spec is acknowledged, so batch replays are idempotent. */
  public CompletionStage<Submitted> submitAs(String id, Prepared prepared) {
    SessionSpec spec = prepared.spec();
    long asked = System.nanoTime();
    return session(id).<SessionCommand.Reply>ask(reply -> new SessionCommand.Submit(spec, reply), ASK_TIMEOUT)
        .handle((reply, error) -> {
          if (error != null) {
            throw new ApiException(ApiError.unavailable("the cluster did not take the request in time; retry"));
          }
          if (reply instanceof SessionCommand.Rejected rejected) {
            throw new ApiException(ApiError.from(rejected.rejection()));
          }
          metrics.submitted(spec.model(), Duration.ofNanos(System.nanoTime() - asked));
          return new Submitted(id, spec, prepared.codec());
        });
  }


  /**
   * The session's durable tokens from {@code fromIndex}, then how it ended (the last element is
   * {@link SessionFollower.Ended} or {@link SessionFollower.Lost}). Cancelling the source stops
   * following; the session runs on. Materialize it once.
   */
  public Source<SessionFollower.Event, NotUsed> follow(String sessionId, int fromIndex) {
    String name = UUID.randomUUID().toString();
    // The stream takes one element at a time; the bridge holds (and merges) what waits meanwhile,
    // from before the stream runs. The source runs inside the HTTP response's own stream (it is not
    // pre-materialized into one of its own), which saves each open stream an actor and an interpreter.
    ActorRef<Object> bridge = system.systemActorOf(FollowerBridge.create(), "follow-bridge-" + name, Props.empty());
    system.systemActorOf(SessionFollower.create(sessionId, session(sessionId), fromIndex, bridge.narrow()),
        "follow-" + name, Props.empty());
    return ActorSource.<SessionFollower.Event, FollowerBridge.Ack>actorRefWithBackpressure(bridge.narrow(),
            FollowerBridge.Ack.INSTANCE, e -> Optional.empty(), e -> Optional.empty())
        .mapMaterializedValue(stream -> {
          bridge.tell(new FollowerBridge.Attach(stream));
          return NotUsed.getInstance();
        })
        .takeWhile(e -> !(e instanceof SessionFollower.Ended) && !(e instanceof SessionFollower.Lost), true);
  }

  public CompletionStage<SessionState> state(String sessionId) {
    return session(sessionId).ask(SessionCommand.GetState::new, ASK_TIMEOUT);
  }

  public CompletionStage<SessionCommand.Reply> cancel(String sessionId, String reason) {
    return session(sessionId).ask(reply -> new SessionCommand.Cancel(reason, reply), ASK_TIMEOUT);
  }

  private EntityRef<SessionCommand> session(String id) {
    return ClusterSharding.get(system).entityRefFor(Session.ENTITY_KEY, id);
  }
}
