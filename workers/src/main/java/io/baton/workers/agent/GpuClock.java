package io.baton.workers.agent;

import java.time.Duration;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

/**
 * The simulated GPUs' clock: wakes a runner when its simulated prefill or decode step would end.
 * Pekko's scheduler fires on a 10 ms tick, so a 2 ms prefill waited there ends up to 10 ms late
 * and shows as time to first token that no real engine has; this one thread waits to the
 * microsecond. It only wakes runners (a tell each) and never runs their work.
 */
public final class GpuClock implements Extension {
  private static final Id ID = new Id();

  private final ScheduledThreadPoolExecutor executor;

  private GpuClock(ActorSystem<?> system) {
    executor = new ScheduledThreadPoolExecutor(1, runnable -> {
      Thread t = new Thread(runnable, system.name() + "-gpu-clock");
      t.setDaemon(true);
      return t;
    });
    // A cancelled step (a failed or finished run) must not stay queued until it would have fired.
    executor.setRemoveOnCancelPolicy(true);
    system.getWhenTerminated().thenRun(executor::shutdownNow);
  }

  public static GpuClock get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  /** Runs {@code wake} after {@code delay}; cancel the returned future to drop it. */
  Future<?> after(Duration delay, Runnable wake) {
    return executor.schedule(wake, delay.toNanos(), TimeUnit.NANOSECONDS);
  }

  private static final class Id extends ExtensionId<GpuClock> {
    @Override
    public GpuClock createExtension(ActorSystem<?> system) {
      return new GpuClock(system);
    }
  }
}
