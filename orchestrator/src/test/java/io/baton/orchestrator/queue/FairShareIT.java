package io.baton.orchestrator.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.baton.actors.session.FailureCause;
import io.baton.actors.session.SessionState;
import io.baton.persistence.testing.CassandraTestExtension;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Fair share: two tenants of the same class, weighted 3 and 1, send more requests at once than
 * three one-session GPUs can run, so both wait in the model's admission queue; the heavy one gets
 * three times the generated tokens of the light one, within 10%.
 *
 * <p>The window is the stretch over which both tenants have requests waiting, read from their
 * sessions (a request waits from its submission to its placement): it closes when the first
 * tenant's backlog drains, i.e. its last waiting request gets a GPU, and it opens at the latest
 * moment from which each tenant had a request waiting without a gap until then. Each request counts
 * with the tokens its client received (its usage) if it got its GPU inside the window, so the split
 * is the queue's order of admission, however fast the JVM runs and the requests arrive. Requests
 * placed before the window (the first arrivals took free GPUs without the queue) and after it (the
 * other tenant's leftovers, run alone) do not count.
 *
 * <p>With 84 heavy and 40 light requests the heavy backlog drains first, after ~28 light ones got a
 * GPU in the window: one light request more or less moves the ratio by under 4%, well inside 10%.
 * Prompts are not charged (prompt-fraction 0), so the queue's attained service is exactly the
 * generated tokens measured here; every request asks for the same tokens, so the tenants differ
 * only in weight.
 */
@ExtendWith(CassandraTestExtension.class)
class FairShareIT {
  private static final int HEAVY = 84;
  private static final int LIGHT = 40;
  private static final int MAX_TOKENS = 40;
  /** Light requests the window must hold, so that one more or less moves the ratio by 5% at most. */
  private static final int ENOUGH_LIGHT = 20;

  /** A request as its client and its session saw it. */
  private record Run(String tenant, Instant submitted, Instant placed, int tokens) {}

  @Test
  void tenantsWeightedThreeToOneGetThreeTimesTheTokensWhileBothWait() throws Exception {
    try (QueueNode q = QueueNode.start("fair", "heavy:sk-heavy,light:sk-light", Map.of(
        "baton.tenants.heavy.weight", 3,
        "baton.tenants.light.weight", 1,
        "baton.queues.prompt-fraction", 0,
        // Every request arrives at once and is meant to wait its turn; shedding is QueueLimitsIT's.
        "baton.queues.max-queue-time.interactive", "10m",
        "baton.workers.engine.timing.decode-per-token", "4ms"))) {
      // Interleaved, so neither tenant arrives first.
      List<CompletableFuture<HttpResponse<String>>> heavy = new ArrayList<>();
      List<CompletableFuture<HttpResponse<String>>> light = new ArrayList<>();
      for (int i = 0; i < HEAVY; i++) {
        heavy.add(q.postAsync("sk-heavy", "/v1/completions", q.completion("heavy " + i, MAX_TOKENS, i, "")));
        if (i < LIGHT) {
          light.add(q.postAsync("sk-light", "/v1/completions", q.completion("light " + i, MAX_TOKENS, 1000 + i, "")));
        }
      }
      List<Run> runs = new ArrayList<>();
      runs.addAll(runs(q, "heavy", heavy));
      runs.addAll(runs(q, "light", light));

      Instant heavyDrained = lastPlaced(runs, "heavy");
      Instant lightDrained = lastPlaced(runs, "light");
      Instant closes = heavyDrained.isBefore(lightDrained) ? heavyDrained : lightDrained;
      Instant heavySince = waitingSince(runs, "heavy", closes);
      Instant lightSince = waitingSince(runs, "light", closes);
      Instant opens = heavySince.isAfter(lightSince) ? heavySince : lightSince;
      assertTrue(opens.isBefore(closes), "both tenants waited at once: " + opens + ", " + closes);

      long heavyTokens = tokensIn(runs, "heavy", opens, closes);
      long lightTokens = tokensIn(runs, "light", opens, closes);
      long lightRuns = runs.stream().filter(r -> r.tenant().equals("light") && inWindow(r, opens, closes)).count();
      String seen = "heavy " + heavyTokens + " tokens, light " + lightTokens + " tokens (" + lightRuns
          + " requests) placed in (" + opens + ", " + closes + "]";
      assertTrue(lightRuns >= ENOUGH_LIGHT, "too few light requests in the window to judge by: " + seen);
      double ratio = (double) heavyTokens / lightTokens;
      assertTrue(ratio >= 2.7 && ratio <= 3.3, "3:1 within 10%: " + String.format("%.3f", ratio) + ", " + seen);

      // The queue's own view, for operators: both tenants with the service they attained, and their share.
      JsonNode heavyRow = q.tenantRow("heavy");
      JsonNode lightRow = q.tenantRow("light");
      assertTrue(heavyRow.path("attained_tokens").asDouble() > 0, q.queue().toString());
      assertTrue(lightRow.path("attained_tokens").asDouble() > 0, q.queue().toString());
      assertEquals(0.75, heavyRow.get("weight_share").asDouble(), 1e-9, q.queue().toString());
      String metrics = q.metrics();
      assertTrue(QueueNode.metric(metrics, "baton_tenant_share", "tenant=\"heavy\"", q.model) > 0, metrics);
      assertTrue(QueueNode.metric(metrics, "baton_tenant_share", "tenant=\"light\"", q.model) > 0, metrics);
    }
  }

  /** Each answered request with its session's submission and first placement. */
  private static List<Run> runs(QueueNode q, String tenant, List<CompletableFuture<HttpResponse<String>>> sent)
      throws Exception {
    List<Run> runs = new ArrayList<>();
    for (CompletableFuture<HttpResponse<String>> f : sent) {
      HttpResponse<String> r = f.get(QueueNode.TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      assertEquals(200, r.statusCode(), tenant + ": " + r.body());
      JsonNode body = QueueNode.JSON.readTree(r.body());
      SessionState s = q.state(body.get("id").asText());
      // A GPU that turned out full refuses the grant and the next one takes it: that is when it got one.
      assertTrue(s.attempts().stream().allMatch(a -> a.failure() == null
          || a.failure().kind() == FailureCause.Kind.GRANT_REFUSED), "nothing interrupted it: " + s.attempts());
      runs.add(new Run(tenant, s.submittedAt(), s.currentAttempt().placedAt(),
          body.at("/usage/completion_tokens").asInt()));
    }
    return runs;
  }

  private static Instant lastPlaced(List<Run> runs, String tenant) {
    return runs.stream().filter(r -> r.tenant().equals(tenant)).map(Run::placed).max(Comparator.naturalOrder())
        .orElseThrow();
  }

  /**
   * The earliest instant from which the tenant had a request waiting (submitted, not yet placed) at
   * every moment up to {@code until}.
   */
  private static Instant waitingSince(List<Run> runs, String tenant, Instant until) {
    Instant since = until;
    for (boolean extended = true; extended; ) {
      extended = false;
      for (Run r : runs) {
        if (r.tenant().equals(tenant) && r.submitted().isBefore(since) && !r.placed().isBefore(since)) {
          since = r.submitted();
          extended = true;
        }
      }
    }
    return since;
  }

  private static boolean inWindow(Run r, Instant opens, Instant closes) {
    return r.placed().isAfter(opens) && !r.placed().isAfter(closes);
  }

  private static long tokensIn(List<Run> runs, String tenant, Instant opens, Instant closes) {
    return runs.stream().filter(r -> r.tenant().equals(tenant) && inWindow(r, opens, closes))
        .mapToLong(Run::tokens).sum();
  }
}
