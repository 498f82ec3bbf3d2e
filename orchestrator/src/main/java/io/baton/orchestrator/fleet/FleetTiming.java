package io.baton.orchestrator.fleet;

import com.typesafe.config.Config;
import io.baton.workers.agent.AgentSettings;
import java.time.Duration;

/**
 * Every staleness window and check interval of placement, node loss and the fleet controller, all
 * derived in this one place from two settings: how often agents report their GPUs
 * ({@code baton.workers.agent.report-interval}) and how long the cluster's failure detector takes
 * to flag a silent node (its heartbeat interval plus acceptable pause). Raising the report interval
 * for a large fleet stretches them all together, so none can fall out of step with the others.
 *
 * @param reportStaleAfter a GPU report older than this is ignored by placement, and a spare whose
 *     agent has not reported for this long is not promoted: its agent may be gone
 * @param stillTalking a node that sent a report this recently is not lost to this node, whatever
 *     the gossiped reachability says (a node resumed from a freeze flags healthy ones for a moment)
 * @param stillTalkingRecheck when such a node is looked at again
 * @param tick how often the node-loss watch checks its own clock for a freeze
 * @param frozenAfter a gap this long between ticks means this JVM was frozen (SIGSTOP, a long GC)
 * @param distrustAfterFreeze how long after a freeze this node distrusts its failure detector
 * @param promotePatience an unconfirmed promotion stops blocking other promotions after this long
 * @param refreshEvery how often the fleet controller looks at the pool without an event
 */
public record FleetTiming(
    Duration reportInterval,
    Duration reportStaleAfter,
    Duration stillTalking,
    Duration stillTalkingRecheck,
    Duration tick,
    Duration frozenAfter,
    Duration distrustAfterFreeze,
    Duration promotePatience,
    Duration refreshEvery) {

  public static FleetTiming from(AgentSettings agent, Config config) {
    Duration report = agent.reportInterval();
    Duration detection = config.getDuration("pekko.cluster.failure-detector.heartbeat-interval")
        .plus(config.getDuration("pekko.cluster.failure-detector.acceptable-heartbeat-pause"));
    Duration stale = report.multipliedBy(6);
    return new FleetTiming(
        report,
        stale,
        report.multipliedBy(2),
        report.multipliedBy(7).dividedBy(5),
        report.dividedBy(2),
        report.multipliedBy(2),
        // The detector needs a detection's worth of fresh heartbeats, and the reports a few intervals.
        detection.plus(report.multipliedBy(3)),
        report.multipliedBy(20),
        stale);
  }
}
