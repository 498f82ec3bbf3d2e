package io.baton.actors.app;

import io.baton.actors.session.ServiceClass;
import io.baton.actors.session.SessionSpec;
import io.baton.actors.session.SessionState;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a request into a session spec: the model's tokenizer and chat format make the prompt, then
 * the prompt and the output bound are checked against the model's context. Nothing here touches
 * the cluster, so a request that fails is refused before anything is persisted.
 */
final class SessionPrompts {
  private final ModelCatalog catalog;
  private final Tenants tenants;
  private final int maxTokensLimit;

  /** @param maxTokensLimit the output bound when the request sets none (capped by the context left) */
  SessionPrompts(ModelCatalog catalog, Tenants tenants, int maxTokensLimit) {
    this.catalog = catalog;
    this.tenants = tenants;
    this.maxTokensLimit = maxTokensLimit;
  }

  /**
   * @param previous the stored response this one continues (its prompt and output come first), or null
   * @param batchId the batch the session belongs to, or null
   * @param seedIfAbsent the seed when the request has none
   */
  Result<SessionService.Prepared> prepare(SessionRequest r, String tenant, SessionState previous, String batchId,
      long seedIfAbsent) {
    ModelCatalog.Model model = catalog.model(r.model()).orElse(null);
    if (model == null) {
      return Result.refused(Refusal.notFound("model", "the model '" + r.model()
          + "' does not exist; GET /v1/models lists the served models", "model_not_found"));
    }
    ModelCatalog.TextCodec codec = catalog.codec(model.id()).orElseThrow();
    if (previous != null && !previous.spec().model().equals(model.id())) {
      return Result.refused(Refusal.invalid("model", "the previous response ran on " + previous.spec().model()
          + "; a conversation keeps its model, because its tokens are that model's"));
    }
    Result<List<Integer>> prompt = prompt(r, model, codec, previous);
    if (prompt instanceof Result.Refused<List<Integer>> refused) {
      return Result.refused(refused.refusal());
    }
    List<Integer> tokens = ((Result.Ok<List<Integer>>) prompt).value();
    if (tokens.isEmpty()) {
      return Result.refused(Refusal.invalid(r.promptParam(), "the prompt is empty"));
    }
    int room = model.maxContext() - tokens.size();
    if (room < 1) {
      return Result.refused(Refusal.invalid(r.promptParam(), "the prompt has " + tokens.size() + " tokens"
          + (previous == null ? "" : " with the conversation so far") + "; " + model.id() + "'s context is "
          + model.maxContext()));
    }
    long perMinute = tenants.of(tenant).tokensPerMinute();
    // Unbounded by the client: the context left, capped by the limit and by what the tenant's minute holds.
    int maxTokens = r.maxTokens() != null ? r.maxTokens() : (int) Math.max(1, Math.min(Math.min(room, maxTokensLimit),
        perMinute > 0 ? perMinute - tokens.size() : Integer.MAX_VALUE));
    if (maxTokens > room) {
      return Result.refused(Refusal.invalid(r.maxTokensParam(), "the prompt's " + tokens.size() + " tokens plus "
          + r.maxTokensParam() + " " + maxTokens + " exceed " + model.id() + "'s context of " + model.maxContext()));
    }
    Tenants.Tenant settings = tenants.of(tenant);
    if (r.priority() != null && r.priority().rank() < settings.serviceClass().rank()) {
      return Result.refused(Refusal.invalid("priority", "this API key's requests run at most as "
          + settings.serviceClass().wireName() + "; ask for that or a lower class"));
    }
    // The lowest of the tenant's class, the asked one and, for a batch line, batch.
    int rank = Math.max(settings.serviceClass().rank(), r.priority() == null ? 0 : r.priority().rank());
    rank = Math.max(rank, batchId == null ? 0 : ServiceClass.BATCH.rank());
    long seed = r.seed() != null ? r.seed() : seedIfAbsent;
    SessionSpec spec = new SessionSpec(model.id(), tokens, new SessionSpec.Sampling(r.temperature(), r.topP(), seed),
        maxTokens, tenant, rank, batchId, r.stop(), r.api(), r.response());
    return Result.ok(new SessionService.Prepared(spec, codec));
  }

  private static Result<List<Integer>> prompt(SessionRequest r, ModelCatalog.Model model,
      ModelCatalog.TextCodec codec, SessionState previous) {
    if (r.api() == SessionSpec.Api.COMPLETION) {
      return Result.ok(codec.encode(r.prompt()));
    }
    ChatFormat format = codec.chatFormat().orElse(null);
    if (format == null) {
      // A wrong template would answer plausibly but worse: refuse rather than guess.
      return Result.refused(Refusal.invalid("model", model.id() + " has no chat format configured"
          + " (baton.workers.models[].chat); use /v1/completions with the prompt in the model's own format"));
    }
    if (previous == null) {
      return Result.ok(codec.encode(format.render(r.messages())));
    }
    List<Integer> tokens = new ArrayList<>(previous.spec().promptTokens());
    tokens.addAll(previous.tokens());
    tokens.addAll(codec.encode(format.continuation(r.messages())));
    return Result.ok(tokens);
  }
}
