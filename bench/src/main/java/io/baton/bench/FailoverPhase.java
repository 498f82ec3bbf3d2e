package io.baton.bench;

import io.baton.actors.session.FailureCause;
import io.baton.actors.session.SessionSpec;
import io.baton.actors.session.SessionState;
import io.baton.actors.session.SessionStatus;
import io.baton.workers.agent.AgentCommand;
import io.baton.workers.agent.AgentStatus;
import io.baton.workers.engine.Fault;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Drives the sessions of one prompt length until {@code faults} failovers are measured. One thread
 * polls the sessions and the agent, submits, and injects; the arrival times come from the taps.
 *
 * <p>One fault is in flight at a time, and a GPU is faulted only while it runs that one session and
 * no session is between GPUs: an injected XID is sticky until the agent handles it, so a neighbour
 * stepping meanwhile would fail too, and a second app fault of one session makes it a poison request.
 */
final class FailoverPhase {
  /** Tokens a session must still have to decode when it is faulted: two flushes' worth and more. */
  static final int MIN_REMAINING = 24;
  private static final long TAP_SETTLE_MS = 0;
  private static final Duration SUBMIT_GAP = Duration.ofMillis(250);
  private static final Duration FAILOVER_TIMEOUT = Duration.ofSeconds(30);

  /** A session the bench submitted, with what it last saw of it. */
  static final class Run {
    final SessionSpec spec;
    final TokenTap tap;
    SessionState state;
    boolean faulted;
    /** Set once the failover is measured. */
    Instant injectedAt;
    Instant heardAt;
    long restoredTokens;
    long computedTokens;

    Run(SessionSpec spec, TokenTap tap) {
      this.spec = spec;
      this.tap = tap;
    }
  }

  /** The fault being measured, with the agent's prefill counters just before it. */
  private record InFlight(Run run, Instant at, long restoredBefore, long computedBefore) {}

  private final BenchNode node;
  private final int prompt;
  private final int faults;
  private final int maxTokens;
  private final int minDurable;
  private final int concurrency;
  private final Deque<TokenTap> taps = new ArrayDeque<>();
  private final List<Run> active = new ArrayList<>();
  private final List<Run> ended = new ArrayList<>();
  private final List<Run> measured = new ArrayList<>();
  private InFlight inFlight;
  private int submitted;
  private long lastSubmit;

  FailoverPhase(BenchNode node, int prompt, int faults, int maxTokens, int minDurable, int concurrency) {
    this.node = node;
    this.prompt = prompt;
    this.faults = faults;
    this.maxTokens = maxTokens;
    this.minDurable = minDurable;
    this.concurrency = concurrency;
  }

  List<Run> measured() {
    return measured;
  }

  void run() throws Exception {
    System.err.println("bench: " + faults + " faults with " + prompt + "-token prompts ...");
    long t0 = System.nanoTime();
    while (measured.size() < faults || !active.isEmpty()) {
      if (submitted > faults * 4 + 20) {
        throw new IllegalStateException("too many sessions ended without a fault; raise --max-tokens");
      }
      while (measured.size() + active.size() + taps.size() < faults && taps.size() < 2 * concurrency) {
        taps.add(new TokenTap(node.node.system(), "cmpl-bench-" + UUID.randomUUID()));
      }
      // One at a time, a few report intervals apart: placement goes by the GPUs' last load reports,
      // and sessions submitted together would land on one GPU, where none can be faulted alone. None
      // while a fault is in flight: a new session could land on the faulted GPU, and its prefill
      // would count as the failover's.
      if (inFlight == null && active.size() < concurrency && measured.size() + unfaulted() < faults
          && !taps.isEmpty() && taps.peek().ageMillis() >= TAP_SETTLE_MS
          && System.nanoTime() - lastSubmit > SUBMIT_GAP.toNanos()) {
        lastSubmit = System.nanoTime();
        TokenTap tap = taps.poll();
        Run run = new Run(BenchNode.spec(prompt, maxTokens, prompt * 100_000 + submitted++), tap);
        node.submit(tap.sessionId, run.spec).join();
        tap.subscribe(node.node.system());
        active.add(run);
      }
      poll();
      if (inFlight != null) {
        checkFailover();
      } else {
        maybeInject();
      }
      Thread.sleep(5);
    }
    taps.forEach(TokenTap::close);
    System.err.printf("bench: %d faults in %.0f s, %d sessions%n", measured.size(), (System.nanoTime() - t0) / 1e9,
        submitted);
  }

  private long unfaulted() {
    return active.stream().filter(r -> !r.faulted).count();
  }

  private void poll() {
    for (Run run : active) {
      run.state = node.state(run.tap.sessionId).join();
    }
    for (Run run : List.copyOf(active)) {
      if (run.state.status().isTerminal()) {
        if (inFlight != null && inFlight.run() == run) {
          throw new IllegalStateException("session " + run.tap.sessionId + " ended with its fault in flight: "
              + run.state.status() + " " + run.state.terminalReason());
        }
        active.remove(run);
        ended.add(run);
        run.tap.close();
      }
    }
  }

  /** Faults the first session that has what a KV restore needs and a GPU of its own. */
  private void maybeInject() throws Exception {
    if (measured.size() >= faults || active.stream().anyMatch(r -> r.state.status() != SessionStatus.GENERATING)) {
      return; // a session between GPUs might be placed on the one about to fail
    }
    AgentStatus agent = node.agentStatus();
    for (Run run : active) {
      SessionState s = run.state;
      // A session near its end may have decoded its last token already: the XID would hit no one.
      if (run.faulted || s.attempts().size() != 1 || s.tokenCount() < minDurable || s.checkpointUpto() == 0
          || s.tokenCount() > maxTokens - MIN_REMAINING) {
        continue;
      }
      String gpu = s.currentAttempt().workerId();
      if (!agent.gpu(gpu).sessions().equals(List.of(run.tap.sessionId))) {
        continue;
      }
      run.faulted = true;
      inFlight = new InFlight(run, Instant.now(), restored(agent), computed(agent));
      // At the GPU's next decode step: the one this session's runner is waiting out right now.
      node.node.services().agent().tell(new AgentCommand.InjectFault(gpu, new Fault.Xid(13, 1)));
      return;
    }
  }

  private void checkFailover() throws Exception {
    InFlight f = inFlight;
    SessionState s = f.run().state;
    if (Duration.between(f.at(), Instant.now()).compareTo(FAILOVER_TIMEOUT) > 0) {
      throw new IllegalStateException("no failover of " + f.run().tap.sessionId + " within " + FAILOVER_TIMEOUT
          + "; last state " + s.status() + " attempts " + s.attempts());
    }
    if (s.attempts().size() < 2) {
      return;
    }
    // The resumed attempt's first chunk starts where the durable tokens ended when it was placed.
    Optional<TokenTap.Heard> first = f.run().tap.firstFrom(s.attempts().get(1).resumeFrom(), f.at());
    if (first.isEmpty()) {
      return;
    }
    // Only this attempt prefilled since the injection: no submissions meanwhile, one fault at a time.
    AgentStatus agent = node.agentStatus();
    Run run = f.run();
    run.injectedAt = f.at();
    run.heardAt = first.get().at();
    run.restoredTokens = restored(agent) - f.restoredBefore();
    run.computedTokens = computed(agent) - f.computedBefore();
    measured.add(run);
    inFlight = null;
  }

  /** Checks every session of the phase against a fault-free run; returns how many there were. */
  int verify() {
    for (Run run : ended) {
      SessionState s = run.state;
      String id = run.tap.sessionId;
      if (s.status() != SessionStatus.COMPLETED) {
        throw new IllegalStateException("session " + id + " ended " + s.status() + ": " + s.terminalReason());
      }
      if (run.faulted) {
        FailureCause cause = s.attempts().get(0).failure();
        if (s.attempts().size() != 2 || cause == null || !Integer.valueOf(13).equals(cause.xidCode())) {
          throw new IllegalStateException("session " + id + " expected one XID 13 failover: " + s.attempts());
        }
      }
      if (!node.reference(run.spec).equals(s.tokens())) {
        throw new IllegalStateException("session " + id + " differs from the fault-free run of its request");
      }
    }
    return ended.size();
  }

  private static long restored(AgentStatus agent) {
    return agent.gpus().stream().mapToLong(AgentStatus.Gpu::restoredTokens).sum();
  }

  private static long computed(AgentStatus agent) {
    return agent.gpus().stream().mapToLong(AgentStatus.Gpu::computedTokens).sum();
  }
}
