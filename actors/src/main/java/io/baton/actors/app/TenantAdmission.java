package io.baton.actors.app;

import io.baton.actors.queue.QueueBoard;
import io.baton.actors.queue.QueueSettings;
import io.baton.actors.queue.QueueSummary;
import io.baton.actors.session.ServiceClass;
import io.baton.actors.session.SessionSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Whether a client's request may be submitted now, decided before anything is persisted: its
 * model's admission queue must not already hold its tenant's maximum of waiting requests (429), nor
 * be so long that the request would wait beyond its class's maximum queue time (503, with when to
 * retry); and its prompt plus its output bound are drawn from its tenant's tokens per minute on this
 * node (429). A request that could never fit the tokens per minute is invalid.
 */
final class TenantAdmission {
  private final Tenants tenants;
  private final TokenBuckets buckets;
  private final SessionService.Listener listener;
  private final QueueBoard queues;
  private final QueueSettings queueSettings;

  TenantAdmission(Tenants tenants, TokenBuckets buckets, SessionService.Listener listener, QueueBoard queues,
      QueueSettings queueSettings) {
    this.tenants = tenants;
    this.buckets = buckets;
    this.listener = listener;
    this.queues = queues;
    this.queueSettings = queueSettings;
  }

  /** Why the spec may not be submitted now; empty when its tokens were drawn. */
  Optional<Refusal> refusal(SessionSpec spec) {
    Optional<Refusal> queued = queues.fresh(spec.model()).flatMap(q -> queueRefusal(spec, q));
    return queued.isPresent() ? queued : tokenRefusal(spec);
  }

  private Optional<Refusal> queueRefusal(SessionSpec spec, QueueSummary q) {
    int maxQueued = tenants.of(spec.tenant()).maxQueued();
    int waiting = q.waitingByTenant().getOrDefault(spec.tenant(), 0);
    ServiceClass cls = ServiceClass.ofRank(spec.priority());
    Duration expected = q.expectedWait(cls);
    Duration retry = expected == null ? queueSettings.maxQueueTime().get(cls) : expected;
    if (maxQueued > 0 && waiting >= maxQueued) {
      listener.limited(spec.tenant(), "queued");
      return Optional.of(new Refusal(Refusal.Kind.RATE_LIMITED, "this API key already has " + waiting
          + " requests waiting for " + spec.model() + ", its maximum; retry after " + seconds(retry) + " s", null,
          "rate_limit_exceeded", new Refusal.RateLimit("requests", maxQueued, 0, retry, retry)));
    }
    Duration max = queueSettings.maxQueueTime().get(cls);
    // Without an admission in the last minute there is no rate to expect a wait from: the queue may
    // have just formed (a burst on a full fleet) or be stuck. Only a first in line that has already
    // waited beyond the maximum shows that a newcomer would too.
    Duration waited = q.longestWait(cls, Instant.now());
    if (expected == null ? waited.compareTo(max) > 0 : expected.compareTo(max) > 0) {
      listener.limited(spec.tenant(), "queue_time");
      return Optional.of(Refusal.busy(q.waitingAtOrAbove(cls) + " requests of class " + cls.wireName()
          + " or higher wait for " + spec.model() + (expected == null ? ", none was admitted in the last minute and"
          + " the first has waited " + seconds(waited) + " s" : "; this one would wait about " + seconds(expected)
          + " s") + ", beyond the class's maximum of " + seconds(max) + " s; retry after " + seconds(retry) + " s",
          retry));
    }
    return Optional.empty();
  }

  private Optional<Refusal> tokenRefusal(SessionSpec spec) {
    long cost = (long) spec.promptTokens().size() + spec.maxTokens();
    long limit = tenants.of(spec.tenant()).tokensPerMinute();
    if (limit > 0 && cost > limit) {
      String param = spec.api() == SessionSpec.Api.RESPONSE ? "max_output_tokens" : "max_tokens";
      return Optional.of(Refusal.invalid(param, "the prompt's " + spec.promptTokens().size()
          + " tokens plus the output bound " + spec.maxTokens() + " exceed this API key's " + limit
          + " tokens per minute; ask for fewer output tokens"));
    }
    TokenBuckets.Draw draw = buckets.draw(spec.tenant(), cost);
    if (draw.taken()) {
      return Optional.empty();
    }
    listener.limited(spec.tenant(), "tokens");
    return Optional.of(new Refusal(Refusal.Kind.RATE_LIMITED, "this API key is over its " + limit
        + " tokens per minute (" + draw.remaining() + " left, this request needs " + cost + "); retry after "
        + seconds(draw.untilEnough()) + " s", null, "rate_limit_exceeded",
        new Refusal.RateLimit("tokens", limit, draw.remaining(), draw.untilFull(), draw.untilEnough())));
  }

  /** Gives back what {@link #refusal} drew for a spec that was then not submitted. */
  void refund(SessionSpec spec) {
    if (tenants.of(spec.tenant()).tokensPerMinute() > 0) {
      buckets.refund(spec.tenant(), (long) spec.promptTokens().size() + spec.maxTokens());
    }
  }

  private static long seconds(Duration d) {
    return Math.max(1, (d.toMillis() + 999) / 1000);
  }
}
