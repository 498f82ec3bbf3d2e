package io.baton.workers.agent;

import io.baton.workers.agent.SessionRunner.Command;
import io.baton.workers.agent.SessionRunner.DecodeStep;
import java.time.Duration;
import java.util.concurrent.Future;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Paces a runner's decoding and says when it has stopped. Each {@link DecodeStep} arrives when the
 * simulated GPU would have finished the step before it, or at once when the runner does not honour
 * simulated timing (tests); one step is in flight at a time, so answers from the session are handled
 * between tokens. Decoding stops at max_tokens or when a stop sequence is reached.
 */
final class DecodePacer {
  private final GpuClock clock;
  private final ActorRef<Command> self;
  /** Wait out the engine's simulated times; tests pass false (RunnerSettings). */
  private final boolean honourSimulatedTiming;
  private final int maxTokens;
  private final StopSequences stops;
  /** When the simulated GPU finishes its current step, by System.nanoTime. */
  private long dueNanos;
  /** The wake-up for the step in flight, while it waits on the clock. */
  private Future<?> pending;
  private boolean done;
  /** "length" unless a stop sequence ended the generation. */
  private String finishReason = "length";

  DecodePacer(GpuClock clock, ActorRef<Command> self, boolean honourSimulatedTiming, int maxTokens,
      StopSequences stops) {
    this.clock = clock;
    this.self = self;
    this.honourSimulatedTiming = honourSimulatedTiming;
    this.maxTokens = maxTokens;
    this.stops = stops;
  }

  /** True once decoding has stopped by itself (not by a failure). */
  boolean done() {
    return done;
  }

  String finishReason() {
    return finishReason;
  }

  /** After prefill: the first step is due, unless the tokens already durable reach max_tokens. */
  void prefilled(int produced, Duration simulated) {
    if (produced >= maxTokens) {
      done = true;
    } else {
      schedule(simulated);
    }
  }

  /** After a decoded {@code token}, the {@code produced}th: stops, or has the next step sent. */
  void stepped(int token, int produced, Duration simulated) {
    if (stops.reached(token)) {
      done = true;
      finishReason = "stop";
    } else if (produced >= maxTokens) {
      done = true;
    } else {
      schedule(simulated);
    }
  }

  /** Stops a pending step; one already sent is ignored by the runner once decoding has stopped. */
  void cancel() {
    if (pending != null) {
      pending.cancel(false);
      pending = null;
    }
  }

  private void schedule(Duration simulated) {
    if (honourSimulatedTiming && simulated.compareTo(Duration.ZERO) > 0) {
      // Aiming every step at the simulated GPU's own schedule keeps a late wake-up (a busy box)
      // from adding up over a stream.
      long now = System.nanoTime();
      dueNanos = dueNanos == 0 ? now + simulated.toNanos() : Math.max(dueNanos + simulated.toNanos(), now);
      pending = clock.after(Duration.ofNanos(Math.max(0, dueNanos - now)), () -> self.tell(new DecodeStep()));
    } else {
      self.tell(new DecodeStep());
    }
  }
}
