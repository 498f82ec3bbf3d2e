package io.baton.actors.queue;

import com.typesafe.config.Config;
import io.baton.actors.Timing;
import io.baton.actors.session.ServiceClass;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * The admission queues' settings, from {@code baton.queues}.
 *
 * @param promptFraction how much a prompt token counts against a generated one in attained service
 * @param minRunTime a session runs at least this long on a GPU before it can be preempted, so
 *     nothing thrashes
 * @param admitTimeout an admitted session that no GPU report shows running by then no longer
 *     holds room in the queue's count; nor does a preemption not yet seen through
 * @param tick how often the queue forgets stale reports, admits and publishes its summary
 * @param staleAfter a summary older than this is ignored: its queue may be moving nodes
 * @param maxQueueTime by class: a client request expected to wait longer is refused (503) before
 *     anything is written; batch lines are never refused
 */
public record QueueSettings(double promptFraction, Duration minRunTime, Duration admitTimeout, Duration tick,
    Duration staleAfter, Map<ServiceClass, Duration> maxQueueTime) {

  public QueueSettings {
    maxQueueTime = Map.copyOf(maxQueueTime);
    Timing.require(promptFraction >= 0 && promptFraction <= 1, "baton.queues.prompt-fraction must be 0 to 1, was "
        + promptFraction);
    Timing.require(tick.compareTo(staleAfter) < 0, "baton.queues.tick (" + tick.toMillis()
        + " ms) must be shorter than baton.queues.stale-after (" + staleAfter.toMillis() + " ms)");
  }

  public static QueueSettings fromConfig(Config root) {
    Config c = root.getConfig("baton.queues");
    Map<ServiceClass, Duration> maxWait = new EnumMap<>(ServiceClass.class);
    for (ServiceClass cls : ServiceClass.values()) {
      maxWait.put(cls, c.getDuration("max-queue-time." + cls.name().toLowerCase(Locale.ROOT)));
    }
    return new QueueSettings(c.getDouble("prompt-fraction"), c.getDuration("min-run-time"),
        c.getDuration("admit-timeout"), c.getDuration("tick"), c.getDuration("stale-after"), maxWait);
  }
}
