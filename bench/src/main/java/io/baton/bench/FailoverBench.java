package io.baton.bench;

import io.baton.actors.session.Attempt;
import io.baton.actors.session.ResumeMethod;
import io.baton.workers.engine.GpuTiming;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Failover latency under app-class XIDs: one whole node with simulated GPU timing, a few sessions
 * streaming at once, and one injected XID 13 per session once it has durable tokens and a KV
 * checkpoint ({@link FailoverPhase}). Measured from the injection to the first token of the next
 * attempt at a topic subscriber, as a streaming client sees it, then split into parts by the
 * session's journal ({@link SessionJournal}) and replays of the resume's work ({@link FailoverReplay}).
 * Every session must end with exactly the tokens of a fault-free run.
 */
@Command(name = "failover", mixinStandardHelpOptions = true,
    description = "Failover latency (XID 13 to the next attempt's first token) by resume method.")
final class FailoverBench implements Callable<Integer> {
  /** Placement goes by the GPUs' load reports; fresher ones spread the bench's sessions (see FailoverPhase). */
  private static final String REPORT_INTERVAL = "100ms";

  @Option(names = "--faults", defaultValue = "50", description = "Injected faults per prompt length.")
  int faults;

  @Option(names = "--prompt-tokens", split = ",", defaultValue = "512,1",
      description = "Prompt lengths, one phase each: long ones resume by KV restore, short ones by recompute.")
  List<Integer> promptTokens;

  @Option(names = "--max-tokens", defaultValue = "96", description = "Generated tokens per session.")
  int maxTokens;

  @Option(names = "--min-durable", defaultValue = "24", description = "Durable tokens before the fault.")
  int minDurable;

  @Option(names = "--concurrency", defaultValue = "4", description = "Sessions streaming at once.")
  int concurrency;

  @Option(names = "--hosts", defaultValue = "4",
      description = "Simulated hosts of 2 GPUs, one GPU a spare: room to fault GPUs that run one session.")
  int hosts;

  @Option(names = "--decode-per-token", defaultValue = "10ms", description = "Simulated decode step.")
  String decodePerToken;

  @Option(names = "--prefill-per-token", defaultValue = "100us", description = "Simulated prefill per computed token.")
  String prefillPerToken;

  /**
   * One failover, in milliseconds from the injection: to the subscriber (measured), to each journaled
   * step; the simulated GPU time in it; and the replayed KV fetch and engine start.
   */
  record Sample(int promptTokens, ResumeMethod method, double measured, double simulated, double failed,
      double placed, double appended, long restoredTokens, long computedTokens, FailoverReplay.Costs replay) {}

  @Override
  public Integer call() throws Exception {
    if (minDurable + FailoverPhase.MIN_REMAINING > maxTokens) {
      throw new IllegalArgumentException("--max-tokens must be at least --min-durable + " + FailoverPhase.MIN_REMAINING);
    }
    try (BenchCassandra cassandra = new BenchCassandra();
        BenchNode node = BenchNode.start(cassandra, "failover", Map.of(
            "baton.workers.engine.timing.decode-per-token", decodePerToken,
            "baton.workers.engine.timing.prefill-per-token", prefillPerToken,
            "baton.orchestrator.simulated-fleet.hosts", hosts,
            "baton.workers.agent.report-interval", REPORT_INTERVAL))) {
      GpuTiming timing = node.node.services().workers().engine().timing();
      List<Sample> samples = new ArrayList<>();
      int sessions = 0;
      for (int prompt : promptTokens) {
        FailoverPhase phase = new FailoverPhase(node, prompt, faults, maxTokens, minDurable, concurrency);
        phase.run();
        sessions += phase.verify();
        samples.addAll(samples(node, timing, prompt, phase.measured()));
      }
      System.err.println("bench: all " + sessions + " sessions ended with exactly the fault-free tokens");
      FailoverReport.print(samples, timing);
    }
    return 0;
  }

  private static List<Sample> samples(BenchNode node, GpuTiming timing, int prompt, List<FailoverPhase.Run> runs)
      throws Exception {
    SessionJournal journal = new SessionJournal(node.node.system());
    FailoverReplay replay = new FailoverReplay(node);
    List<Sample> out = new ArrayList<>();
    for (FailoverPhase.Run run : runs) {
      SessionJournal.Failover steps = journal.failover(run.tap.sessionId);
      Attempt second = run.state.attempts().get(1);
      // The runner waits out the prefill before its first step; the decode step stands for the old
      // attempt's step during which the XID surfaces, at most one step after the injection.
      double simulated = millis(timing.prefillPerToken().multipliedBy(run.computedTokens))
          + millis(timing.decodePerToken());
      out.add(new Sample(prompt, second.method(), since(run, run.heardAt), simulated, since(run, steps.failed()),
          since(run, steps.placed()), since(run, steps.appended()), run.restoredTokens, run.computedTokens,
          replay.replay(run.spec, run.state, second.method(), second.resumeFrom(), run.restoredTokens)));
    }
    return out;
  }

  private static double since(FailoverPhase.Run run, Instant t) {
    return millis(Duration.between(run.injectedAt, t));
  }

  static double millis(Duration d) {
    return d.toNanos() / 1e6;
  }
}
