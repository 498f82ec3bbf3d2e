package io.baton.bench;

import io.baton.actors.session.SessionSpec;
import io.baton.actors.session.SessionState;
import io.baton.actors.session.SessionStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * What KV checkpoints cost: generated tokens per second across concurrent sessions on one whole node,
 * with {@code baton.workers.agent.checkpoints} on and off, on the same Cassandra in the same run.
 * Simulated GPU timing is off, so the reference engine's compute and the journal and block-store
 * writes are all there is. Each round runs one node per setting, in alternating order, because the
 * speed of a shared 2-core box drifts; after a warm-up round, the round with the median ratio is shown.
 */
@Command(name = "checkpoint", mixinStandardHelpOptions = true,
    description = "Token throughput with KV checkpoints on vs off.")
final class CheckpointBench implements Callable<Integer> {
  private static final int VERIFIED_PER_BATCH = 4;

  @Option(names = "--sessions", defaultValue = "24", description = "Concurrent sessions (3 GPUs x 8 fit at once).")
  int sessions;

  @Option(names = "--max-tokens", defaultValue = "512", description = "Generated tokens per session.")
  int maxTokens;

  @Option(names = "--prompt-tokens", defaultValue = "64", description = "Prompt tokens per session.")
  int promptTokens;

  @Option(names = "--rounds", defaultValue = "3", description = "Rounds of one node with and one without.")
  int rounds;

  private record Result(long tokens, double seconds, int checkpointedBlocks) {
    double rate() {
      return tokens / seconds;
    }
  }

  private record Round(Result on, Result off) {
    double ratio() {
      return on.rate() / off.rate();
    }
  }

  @Override
  public Integer call() throws Exception {
    List<Round> results = new ArrayList<>();
    try (BenchCassandra cassandra = new BenchCassandra()) {
      // Round 0 warms the box and is not counted: in trial runs the first round's ratio came out well
      // below the later ones (Cassandra, a JVM of its own, is still compiling its write path).
      for (int r = 0; r <= rounds; r++) {
        // Alternate which setting goes first, so a drift of the box hurts neither side.
        boolean onFirst = r % 2 == 1;
        Result first = measure(cassandra, onFirst);
        Result second = measure(cassandra, !onFirst);
        Round round = onFirst ? new Round(first, second) : new Round(second, first);
        System.err.printf("bench: %s %d: on %.0f tok/s (%d blocks checkpointed), off %.0f tok/s (%d), ratio %.2f%n",
            r == 0 ? "warm-up round" : "round", r, round.on().rate(), round.on().checkpointedBlocks(),
            round.off().rate(), round.off().checkpointedBlocks(), round.ratio());
        if (r > 0) {
          results.add(round);
        }
      }
    }
    results.sort(Comparator.comparingDouble(Round::ratio));
    Round median = results.get(results.size() / 2);
    System.out.println("| concurrent sessions | tokens per run | tok/s, checkpoints on | tok/s, checkpoints off"
        + " | ratio on/off (median) | ratio range |");
    System.out.println("|---:|---:|---:|---:|---:|---:|");
    System.out.printf("| %d | %d | %.0f | %.0f | **%.2f** | %.2f-%.2f |%n", sessions, median.on().tokens(),
        median.on().rate(), median.off().rate(), median.ratio(), results.get(0).ratio(),
        results.get(results.size() - 1).ratio());
    return 0;
  }

  /** One fresh node with the setting: a warm-up batch, then the measured batch. */
  private Result measure(BenchCassandra cassandra, boolean checkpoints) throws Exception {
    try (BenchNode node = BenchNode.start(cassandra, checkpoints ? "ckpt-on" : "ckpt-off", Map.of(
        "baton.workers.agent.checkpoints", checkpoints,
        "baton.workers.engine.timing.decode-per-token", "0ms",
        "baton.workers.engine.timing.prefill-per-token", "0us"))) {
      long t0 = System.nanoTime();
      batch(node, Math.min(maxTokens, 64), 1); // JIT, connections and shard allocation
      long t1 = System.nanoTime();
      Result r = batch(node, maxTokens, 1000);
      System.err.printf("bench: warm-up %.1f s, batch %.1f s (of which generating %.1f s)%n", (t1 - t0) / 1e9,
          (System.nanoTime() - t1) / 1e9, r.seconds());
      return r;
    }
  }

  /** Submits every session at once and waits until all end; throughput from the sessions' own times. */
  private Result batch(BenchNode node, int tokens, int saltBase) throws Exception {
    List<String> ids = new ArrayList<>();
    List<SessionSpec> specs = new ArrayList<>();
    List<CompletableFuture<?>> submits = new ArrayList<>();
    for (int i = 0; i < sessions; i++) {
      String id = "cmpl-bench-" + UUID.randomUUID();
      SessionSpec spec = BenchNode.spec(promptTokens, tokens, saltBase + i);
      ids.add(id);
      specs.add(spec);
      submits.add(node.submit(id, spec));
    }
    CompletableFuture.allOf(submits.toArray(CompletableFuture[]::new)).join();
    List<SessionState> done = awaitAll(node, ids);
    Instant start = done.stream().map(SessionState::submittedAt).min(Comparator.naturalOrder()).orElseThrow();
    Instant end = done.stream().map(SessionState::endedAt).max(Comparator.naturalOrder()).orElseThrow();
    long generated = 0;
    int blocks = 0;
    for (int i = 0; i < done.size(); i++) {
      SessionState s = done.get(i);
      // The reference run costs as much CPU as the session did, so only a few are checked against it.
      if (s.status() != SessionStatus.COMPLETED
          || i < VERIFIED_PER_BATCH && !node.reference(specs.get(i)).equals(s.tokens())) {
        throw new IllegalStateException("session " + s.sessionId() + " ended " + s.status()
            + " without the fault-free tokens: " + s.terminalReason());
      }
      generated += s.tokenCount();
      blocks += s.checkpointBlocks().size();
    }
    return new Result(generated, Duration.between(start, end).toNanos() / 1e9, blocks);
  }

  private static List<SessionState> awaitAll(BenchNode node, List<String> ids) throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
    while (System.nanoTime() < deadline) {
      List<SessionState> states = new ArrayList<>();
      for (String id : ids) {
        states.add(node.state(id).join());
      }
      if (states.stream().allMatch(s -> s.status().isTerminal())) {
        return states;
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("sessions still running after 5 minutes");
  }
}
