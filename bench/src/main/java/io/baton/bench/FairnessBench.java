package io.baton.bench;

import io.baton.actors.session.FailureCause;
import io.baton.actors.session.ServiceClass;
import io.baton.actors.session.SessionCommand;
import io.baton.actors.session.SessionEvent;
import io.baton.actors.session.SessionSpec;
import io.baton.actors.session.SessionState;
import io.baton.actors.session.SessionStatus;
import io.baton.workers.engine.BlockHash;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Sharing one node's fleet (three active simulated GPUs): the split two batch tenants with weights
 * 3:1 get while both wait, an interactive request's time to first token under a saturating batch
 * against the same on the idle fleet, the tokens computed again per preemption, and the admission
 * hand-off (the queue's Admitted write to the session's Placed write). Everything is read back
 * from the session and queue journals; every preempted session is checked token for token against
 * its fault-free run.
 */
@Command(name = "fairness", mixinStandardHelpOptions = true,
    description = "Fair share, priority and preemption on one node's fleet.")
final class FairnessBench implements Callable<Integer> {
  @Option(names = "--per-tenant", defaultValue = "90", description = "Batch sessions each weighted tenant submits.")
  int perTenant;

  @Option(names = "--interactive", defaultValue = "15", description = "Interactive requests in each TTFT phase.")
  int interactive;

  @Option(names = "--sessions-per-gpu", defaultValue = "2", description = "Places per simulated GPU.")
  int sessionsPerGpu;

  @Option(names = "--decode-per-token", defaultValue = "10ms", description = "Simulated decode step.")
  String decodePerToken;

  private BenchNode node;
  private final Map<String, SessionSpec> specs = new LinkedHashMap<>();

  @Override
  public Integer call() throws Exception {
    try (BenchCassandra cassandra = new BenchCassandra();
        BenchNode n = BenchNode.start(cassandra, "fair", Map.of(
            "baton.workers.engine.timing.decode-per-token", decodePerToken,
            "baton.workers.agent.sessions-per-gpu", sessionsPerGpu,
            "baton.tenants.heavy.weight", 3, "baton.tenants.light.weight", 1))) {
      node = n;
      Window window = fairShare(); // also warms the JVM for the two TTFT phases
      List<Duration> idle = ttfts(Duration.ZERO, () -> true);
      List<Duration> busy = underBatch();
      List<Double> writes = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        JournalFloor.measure(node.node.system(), 1).forEach(f -> writes.add(f.secondWrite()));
      }
      QueueJournal journal = new QueueJournal(node.node.system());
      Map<String, List<SessionEvent>> histories = new HashMap<>();
      List<QueueJournal.Resume> resumes = new ArrayList<>();
      int exact = 0;
      int preemptions = 0;
      for (Map.Entry<String, SessionSpec> e : specs.entrySet()) {
        List<SessionEvent> events = journal.session(e.getKey());
        histories.put(e.getKey(), events);
        List<QueueJournal.Resume> r = QueueJournal.resumes(e.getKey(), e.getValue().promptTokens().size(), events);
        resumes.addAll(r);
        preemptions += (int) events.stream().filter(ev -> ev instanceof SessionEvent.AttemptFailed f
            && f.cause().kind() == FailureCause.Kind.PREEMPTED).count();
        if (!r.isEmpty()) {
          SessionState s = node.state(e.getKey()).get();
          if (!s.tokens().equals(node.reference(e.getValue()))) {
            throw new IllegalStateException("preempted session " + e.getKey() + " differs from its fault-free run");
          }
          exact++;
        }
      }
      Map<String, Instant> admissions = journal.admissions(BenchNode.MODEL);
      List<Duration> handoffs = QueueJournal.handoffs(admissions, histories);
      Share share = share(window, histories);
      long queued = histories.values().stream().filter(h -> h.stream().anyMatch(ev -> ev instanceof SessionEvent.Queued))
          .count();
      Map<String, Integer> admittedInWindow = new HashMap<>();
      admissions.forEach((id, at) -> {
        if (!at.isBefore(window.from()) && !at.isAfter(window.to())) {
          admittedInWindow.merge(specs.get(id).tenant(), 1, Integer::sum);
        }
      });
      System.err.printf("bench: %d of %d sessions queued; the queue admitted %d sessions, in the share window %s%n",
          queued, specs.size(), admissions.size(), admittedInWindow);
      StringBuilder order = new StringBuilder();
      admissions.entrySet().stream().sorted(Map.Entry.comparingByValue())
          .forEach(e -> order.append(specs.get(e.getKey()).tenant().charAt(0)));
      System.err.println("bench: admission order " + order + "; " + journal.counts(BenchNode.MODEL));
      specs.entrySet().stream().filter(e -> e.getValue().tenant().equals("interactive")).forEach(e -> {
        List<SessionEvent> h = histories.get(e.getKey());
        System.err.println("bench: " + e.getKey() + " " + h.stream().filter(ev -> !(ev instanceof SessionEvent.TokensAppended t)
            || t.fromIndex() == 0).map(ev -> ev.getClass().getSimpleName() + "@" + ev.toString().replaceAll(".*at=", ""))
            .toList());
      });
      print(idle, busy, share, resumes, exact, preemptions, handoffs, StreamLatency.percentile(writes, 0.5));
      return 0;
    }
  }

  record Window(Instant from, Instant to) {}

  record Share(long heavy, long light, Instant from, Instant to) {
    double ratio() {
      return (double) heavy / light;
    }
  }

  /** Tokens each weighted tenant's sessions generated inside the window, chunk by chunk as journalled. */
  private Share share(Window w, Map<String, List<SessionEvent>> histories) {
    Map<String, Long> tokens = new HashMap<>();
    histories.forEach((id, events) -> events.forEach(e -> {
      if (e instanceof SessionEvent.TokensAppended t && !t.at().isBefore(w.from()) && !t.at().isAfter(w.to())) {
        tokens.merge(specs.get(id).tenant(), (long) t.tokens().size(), Long::sum);
      }
    }));
    return new Share(tokens.getOrDefault("heavy", 0L), tokens.getOrDefault("light", 0L), w.from(), w.to());
  }

  /**
   * Interactive sessions one at a time: from Submitted to the first durable token, each, for those
   * submitted while {@code counts} held.
   */
  private List<Duration> ttfts(Duration gap, Callable<Boolean> counts) throws Exception {
    List<Duration> out = new ArrayList<>();
    for (int i = 0; i < interactive; i++) {
      boolean counted = counts.call();
      String id = submit("interactive", ServiceClass.INTERACTIVE, 64, 8);
      SessionState s = until(id, st -> st.firstTokenAt() != null);
      if (counted) {
        out.add(Duration.between(s.submittedAt(), s.firstTokenAt()));
      }
      Thread.sleep(gap.toMillis()); // under a batch: it takes the place back before the next one arrives
    }
    return out;
  }

  /**
   * Both tenants submit their whole backlog at once. The window runs from the last submission to
   * the last placement of the tenant whose backlog drains first: both wait throughout it.
   */
  private Window fairShare() throws Exception {
    List<String> ids = new ArrayList<>();
    List<CompletableFuture<?>> acks = new ArrayList<>();
    for (int i = 0; i < perTenant; i++) {
      for (String tenant : List.of("heavy", "light")) {
        String id = id();
        acks.add(node.submit(id, spec(id, tenant, ServiceClass.BATCH, 64, 32)));
        ids.add(id);
      }
    }
    CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get();
    Instant from = Instant.now();
    Map<String, Instant> lastPlaced = new HashMap<>();
    for (String id : ids) {
      SessionState s = until(id, st -> st.status().isTerminal());
      lastPlaced.merge(s.spec().tenant(), s.attempts().get(0).placedAt(), (a, b) -> a.isAfter(b) ? a : b);
    }
    Instant to = lastPlaced.values().stream().min(Instant::compareTo).orElseThrow();
    return new Window(from, to);
  }

  /**
   * A batch of 3-second runs large enough to keep every place busy, with sessions waiting, until
   * after the last interactive request; then the interactive requests, a second apart. Only those
   * that arrived while batch sessions still waited are counted.
   */
  private List<Duration> underBatch() throws Exception {
    List<String> batch = new ArrayList<>();
    int places = 3 * sessionsPerGpu;
    for (int i = 0; i < places * (interactive / 2 + 4); i++) {
      batch.add(submit("batchco", ServiceClass.BATCH, 64, 300));
    }
    until(batch.get(0), st -> st.firstTokenAt() != null && st.firstTokenAt().plusSeconds(2).isBefore(Instant.now()));
    String last = batch.get(batch.size() - 1);
    List<Duration> out = ttfts(Duration.ofSeconds(1), () -> node.state(last).get().status() == SessionStatus.PENDING);
    System.err.printf("bench: %d of %d interactive requests met a saturated fleet%n", out.size(), interactive);
    for (String id : batch) {
      until(id, st -> st.status().isTerminal());
    }
    return out;
  }

  private String submit(String tenant, ServiceClass cls, int prompt, int maxTokens) throws Exception {
    String id = id();
    node.submit(id, spec(id, tenant, cls, prompt, maxTokens)).get();
    return id;
  }

  private static String id() {
    return "cmpl-fair-" + UUID.randomUUID();
  }

  /** A distinct prompt per session, kept for the token-exact check. */
  private SessionSpec spec(String id, String tenant, ServiceClass cls, int prompt, int maxTokens) {
    SessionSpec base = BenchNode.spec(prompt, maxTokens, specs.size() + 1);
    SessionSpec spec = new SessionSpec(base.model(), base.promptTokens(), base.sampling(), maxTokens, tenant,
        cls.rank(), null, List.of(), SessionSpec.Api.COMPLETION);
    specs.put(id, spec);
    return spec;
  }

  private SessionState until(String id, Predicate<SessionState> done) throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
    while (System.nanoTime() < deadline) {
      SessionState s = node.state(id).get();
      if (done.test(s)) {
        return s;
      }
      Thread.sleep(5);
    }
    node.session(id).tell(new SessionCommand.Cancel("bench gave up", node.node.system().ignoreRef()));
    throw new IllegalStateException("session " + id + " did not get there in 5 minutes: " + node.state(id).get());
  }

  private void print(List<Duration> idle, List<Duration> busy, Share share, List<QueueJournal.Resume> resumes,
      int exact, int preemptions, List<Duration> handoffs, double writeP50) {
    double idleP50 = millis(idle, 0.5);
    double busyP50 = millis(busy, 0.5);
    List<Integer> recomputed = resumes.stream().map(QueueJournal.Resume::recomputed).sorted().toList();
    System.out.printf("One node, three active simulated GPUs with %d places each, decode %s/token; tenants heavy"
        + " (weight 3) and light (weight 1) submit %d batch sessions of 32 tokens each at once; %d interactive"
        + " requests of 8 tokens, alone and then under a batch of 300-token sessions that keeps every place busy"
        + " and sessions waiting.%n%n", sessionsPerGpu, decodePerToken, perTenant, interactive);
    System.out.println("| measure | target | measured |");
    System.out.println("|---|---|---|");
    System.out.printf("| share error for 3:1 weights | ≤ 10%% | %.1f%% (heavy %d tokens, light %d, ratio %.2f, over %.1f s"
        + " in which both waited) |%n", 100 * Math.abs(share.ratio() / 3 - 1), share.heavy(), share.light(),
        share.ratio(), Duration.between(share.from(), share.to()).toMillis() / 1000.0);
    System.out.printf("| interactive TTFT under a saturating batch, p50 | ≤ 1.5× idle | %.2f× (%.1f ms vs %.1f ms idle;"
        + " p90 %.1f vs %.1f; %d preemptions) |%n", busyP50 / idleP50, busyP50, idleP50, millis(busy, 0.9),
        millis(idle, 0.9), preemptions);
    System.out.printf("| tokens recomputed per preemption | ≤ %d (one KV block) | p50 %s, max %s over %d resumes;"
        + " %d preempted sessions token-exact |%n", BlockHash.BLOCK_TOKENS,
        recomputed.isEmpty() ? "-" : recomputed.get(recomputed.size() / 2),
        recomputed.isEmpty() ? "-" : recomputed.get(recomputed.size() - 1), recomputed.size(), exact);
    System.out.printf("| queue admission hand-off (Admitted write to Placed write), p50 | ≤ 1 ms | %.2f ms (p90 %.2f,"
        + " %d admissions); floor: the Placed write alone, one journal write p50 %.2f ms |%n", millis(handoffs, 0.5),
        millis(handoffs, 0.9), handoffs.size(), writeP50);
  }

  private static double millis(List<Duration> values, double p) {
    return values.isEmpty() ? Double.NaN
        : StreamLatency.percentile(values.stream().map(d -> d.toNanos() / 1e6).toList(), p);
  }
}
