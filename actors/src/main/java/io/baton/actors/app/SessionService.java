package io.baton.actors.app;

import io.baton.actors.Printable;
import io.baton.actors.queue.QueueBoard;
import io.baton.actors.queue.QueueSettings;
import io.baton.actors.session.Session;
import io.baton.actors.session.SessionCommand;
import io.baton.actors.session.SessionFollower;
import io.baton.actors.session.SessionSpec;
import io.baton.actors.session.SessionState;
import io.baton.actors.session.SessionStatus;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.stream.javadsl.Source;

/**
 * The application layer under every API (chat and text completions, the Responses API, batch
 * lines): prepares a request into a session spec, submits it, follows its durable tokens, describes,
 * cancels and erases it, for one tenant at a time. It answers in typed {@link Result}s; each API
 * maps a {@link Refusal} to its own errors once.
 */
public final class SessionService {
  private static final Duration ASK_TIMEOUT = Duration.ofSeconds(10);
  private static final SecureRandom SEEDS = new SecureRandom();

  /** A request checked against its model and turned into a session spec, not yet submitted. */
  public record Prepared(SessionSpec spec, ModelCatalog.TextCodec codec) {}

  /** A submitted request: its session, the spec it runs with and how its tokens read as text. */
  public record Submitted(String sessionId, SessionSpec spec, ModelCatalog.TextCodec codec) {}

  /** Told what the layer admits and refuses, for the node's meters. */
  public interface Listener {
    /** A session was accepted, {@code ack} after its Submit was sent to the entity. */
    void submitted(String model, Duration ack);

    /**
     * A tenant's request was refused by {@code limit}: {@code tokens}, {@code requests}, {@code queued}
     * (its waiting requests) or {@code queue_time} (the wait would be too long).
     */
    void limited(String tenant, String limit);
  }

  private final ActorSystem<?> system;
  private final ModelCatalog catalog;
  private final SessionPrompts prompts;
  private final Tenants tenants;
  private final TokenBuckets buckets;
  private final TenantAdmission admission;
  private final Listener listener;
  private final QueueBoard queues;

  /**
   * @param maxTokensLimit the output bound of a request that sets none (capped by its model's context)
   * @param listener told each accepted submission and each request a limit refused
   * @param queues the admission queues as this node last heard them, for queue limits and shedding
   */
  public SessionService(ActorSystem<?> system, ModelCatalog catalog, Tenants tenants, int maxTokensLimit,
      Listener listener, QueueBoard queues, QueueSettings queueSettings) {
    this.system = system;
    this.catalog = catalog;
    this.tenants = tenants;
    this.buckets = new TokenBuckets(tenants, System::nanoTime);
    this.admission = new TenantAdmission(tenants, buckets, listener, queues, queueSettings);
    this.prompts = new SessionPrompts(catalog, tenants, maxTokensLimit);
    this.listener = listener;
    this.queues = queues;
  }

  /** The admission queues as this node last heard them. */
  public QueueBoard queues() {
    return queues;
  }

  public ModelCatalog catalog() {
    return catalog;
  }

  public Tenants tenants() {
    return tenants;
  }

  /** This node's tokens-per-minute buckets. */
  public TokenBuckets buckets() {
    return buckets;
  }

  /** Checks a new request (no earlier turn) against its model; nothing is persisted for one that fails. */
  public Result<Prepared> prepare(SessionRequest r, String tenant) {
    return prompts.prepare(r, tenant, null, null, SEEDS.nextLong() & Long.MAX_VALUE);
  }

  /**
   * A batch line: its seed, when the line has none, derives from the line, so a replayed line
   * submits the very same spec.
   */
  public Result<Prepared> prepare(SessionRequest r, String tenant, String batchId, long seedIfAbsent) {
    return prompts.prepare(r, tenant, null, batchId, seedIfAbsent);
  }

  /**
   * A request that may continue an earlier response of the same tenant ({@code previous_response_id}):
   * its prompt is that response's prompt and output, then this turn.
   */
  public CompletionStage<Result<Prepared>> prepareTurn(SessionRequest r, String tenant) {
    String previousId = r.response() == null ? null : r.response().previousResponseId();
    if (previousId == null) {
      return CompletableFuture.completedFuture(prepare(r, tenant));
    }
    return describe(previousId, tenant, "response").thenApply(found -> found
        .flatMap(previous -> {
          if (previous.spec().api() != SessionSpec.Api.RESPONSE) {
            return Result.<Prepared>refused(notFound(previousId, "response", "previous_response_id"));
          }
          if (!previous.status().isTerminal()) {
            return Result.refused(Refusal.invalid("previous_response_id", "the previous response " + previousId
                + " has not ended yet; continue the conversation once it has"));
          }
          if (previous.status() != SessionStatus.COMPLETED) {
            return Result.refused(Refusal.invalid("previous_response_id", "the previous response " + previousId
                + " was " + previous.status().name().toLowerCase() + "; only a finished answer can be continued"));
          }
          return prompts.prepare(r, tenant, previous, null, SEEDS.nextLong() & Long.MAX_VALUE);
        }))
        .thenApply(prepared -> remapNotFound(prepared, "previous_response_id"));
  }

  /**
   * Submits a client's checked request as a new session, under a fresh id of its API's shape, if
   * its tenant's tokens per minute cover its prompt and output bound. Batch lines use
   * {@link #submitAs}: they wait for capacity rather than fail.
   */
  public CompletionStage<Result<Submitted>> submit(Prepared prepared) {
    Optional<Refusal> refused = admission.refusal(prepared.spec());
    if (refused.isPresent()) {
      return CompletableFuture.completedFuture(Result.refused(refused.get()));
    }
    return submitAs(SessionIds.fresh(prepared.spec().api()), prepared).thenApply(submitted -> {
      if (submitted instanceof Result.Refused<Submitted>) {
        admission.refund(prepared.spec()); // nothing runs, so nothing is spent
      }
      return submitted;
    });
  }

  /** Records the session; a repeat with the same spec is acknowledged, so batch replays are idempotent. */
  public CompletionStage<Result<Submitted>> submitAs(String id, Prepared prepared) {
    SessionSpec spec = prepared.spec();
    long asked = System.nanoTime();
    return session(id).<SessionCommand.Reply>ask(reply -> new SessionCommand.Submit(spec, reply), ASK_TIMEOUT)
        .handle((reply, error) -> {
          if (error != null) {
            return Result.refused(Refusal.unavailable("the cluster did not take the request in time; retry"));
          }
          if (reply instanceof SessionCommand.Rejected rejected) {
            return Result.refused(Refusal.of(rejected.rejection()));
          }
          listener.submitted(spec.model(), Duration.ofNanos(System.nanoTime() - asked));
          return Result.ok(new Submitted(id, spec, prepared.codec()));
        });
  }

  /**
   * The session's durable tokens from {@code fromIndex}, then how it ended (the last element is
   * {@link SessionFollower.Ended} or {@link SessionFollower.Lost}). Cancelling the source stops
   * following; the session runs on. Materialize it once.
   */
  public Source<SessionFollower.Event, NotUsed> follow(String sessionId, int fromIndex) {
    return FollowerBridge.source(system, sessionId, session(sessionId), fromIndex);
  }

  /**
   * The session, if it exists for {@code tenant}. Another tenant's, an erased one, a response not
   * stored once it has ended, and a malformed id (which never reaches sharding) are all not found,
   * alike, so ids cannot be probed.
   *
   * @param what what the caller calls it ("session", "response"), for the message
   */
  public CompletionStage<Result<SessionState>> describe(String id, String tenant, String what) {
    if (!SessionIds.wellFormed(id)) {
      return CompletableFuture.completedFuture(Result.refused(notFound(id, what, "id")));
    }
    return state(id).handle((s, error) -> {
      if (error != null) {
        return Result.refused(Refusal.unavailable("the cluster did not answer in time; retry"));
      }
      boolean hidden = s.status() == SessionStatus.NEW || !tenant.equals(s.spec().tenant()) || s.erased()
          || (s.spec().response() != null && !s.spec().response().store() && s.status().isTerminal());
      return hidden ? Result.refused(notFound(id, what, "id")) : Result.ok(s);
    });
  }

  /** The state of any session, for the node's own use (batches): no tenant check. */
  public CompletionStage<SessionState> state(String sessionId) {
    return session(sessionId).ask(SessionCommand.GetState::new, ASK_TIMEOUT);
  }

  /** Cancels the tenant's session; one that has already ended is left as it is and described. */
  public CompletionStage<Result<SessionState>> cancel(String id, String tenant, String what, String reason) {
    return describe(id, tenant, what).thenCompose(found -> found instanceof Result.Ok<SessionState> ok
        && !ok.value().status().isTerminal()
        ? mutate(id, reply -> new SessionCommand.Cancel(reason, reply)).thenCompose(r -> r instanceof Result.Ok<?>
            || endedMeanwhile(r) ? describeAny(id) : CompletableFuture.completedFuture(r.map(x -> ok.value())))
        : CompletableFuture.completedFuture(found));
  }

  /** Forgets the tenant's session (cancelling it if it runs); it is not found from then on. */
  public CompletionStage<Result<SessionState>> erase(String id, String tenant, String what, String reason) {
    return describe(id, tenant, what).thenCompose(found -> found instanceof Result.Ok<SessionState> ok
        ? mutate(id, reply -> new SessionCommand.Erase(reason, reply)).thenApply(r -> r.map(x -> ok.value()))
        : CompletableFuture.completedFuture(found));
  }

  /** The session ended between the look and the cancel: it is answered as it ended. */
  private static boolean endedMeanwhile(Result<SessionCommand.Reply> r) {
    return r instanceof Result.Refused<SessionCommand.Reply> refused
        && "already_terminal".equals(refused.refusal().code());
  }

  private CompletionStage<Result<SessionState>> describeAny(String id) {
    return state(id).handle((s, error) -> error != null
        ? Result.refused(Refusal.unavailable("the cluster did not answer in time; retry")) : Result.ok(s));
  }

  private CompletionStage<Result<SessionCommand.Reply>> mutate(String id,
      Function<ActorRef<SessionCommand.Reply>, SessionCommand> command) {
    return session(id).<SessionCommand.Reply>ask(command::apply, ASK_TIMEOUT).handle((reply, error) -> {
      if (error != null) {
        return Result.refused(Refusal.unavailable("the cluster did not answer in time; retry"));
      }
      return reply instanceof SessionCommand.Rejected r ? Result.refused(Refusal.of(r.rejection())) : Result.ok(reply);
    });
  }

  static Refusal notFound(String id, String what, String param) {
    return Refusal.notFound(param, "no " + what + " '" + Printable.of(id) + "'", what + "_not_found");
  }

  private static <T> Result<T> remapNotFound(Result<T> result, String param) {
    return result instanceof Result.Refused<T> r && r.refusal().kind() == Refusal.Kind.NOT_FOUND
        && "id".equals(r.refusal().param())
        ? Result.refused(new Refusal(Refusal.Kind.NOT_FOUND, r.refusal().message(), param, r.refusal().code()))
        : result;
  }

  private EntityRef<SessionCommand> session(String id) {
    return ClusterSharding.get(system).entityRefFor(Session.ENTITY_KEY, id);
  }
}
