package io.baton.actors.app;

import io.baton.actors.session.SessionSpec;
import java.time.Duration;
import java.util.Optional;

/**
 * Whether a client's request fits its tenant's tokens per minute on this node: its prompt plus its
 * output bound are drawn from the tenant's bucket before anything is persisted. A request that
 * could never fit is invalid; one that does not fit now is rate-limited, with when to retry.
 */
final class TenantAdmission {
  private final Tenants tenants;
  private final TokenBuckets buckets;
  private final SessionService.Listener listener;

  TenantAdmission(Tenants tenants, TokenBuckets buckets, SessionService.Listener listener) {
    this.tenants = tenants;
    this.buckets = buckets;
    this.listener = listener;
  }

  /** Why the spec may not be submitted now; empty when its tokens were drawn. */
  Optional<Refusal> refusal(SessionSpec spec) {
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
