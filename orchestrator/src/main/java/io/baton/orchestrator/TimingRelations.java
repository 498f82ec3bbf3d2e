package io.baton.orchestrator;

import static io.baton.actors.Timing.require;

import io.baton.actors.ActorsSettings;
import io.baton.workers.WorkersSettings;
import io.baton.workers.agent.AgentSettings;
import java.time.Duration;

/**
 * The relations between the timeouts of different modules, checked once when a node starts, so a
 * setting that breaks one stops the node with one line naming both settings (each module's
 * {@code Settings} record checks its own). They are what keeps the attempt protocol free of false
 * alarms: a live runner renews its lease well before it runs out, and reports arrive well before a
 * placer drops them as stale.
 */
final class TimingRelations {
  private TimingRelations() {}

  static void check(ActorsSettings actors, WorkersSettings workers) {
    AgentSettings agent = workers.agent();
    Duration heartbeat = agent.runner().heartbeatInterval();
    require(actors.lease().compareTo(heartbeat.multipliedBy(2)) > 0, "baton.actors.session.lease ("
        + millis(actors.lease()) + ") must exceed two baton.workers.agent.runner.heartbeat-interval ("
        + millis(heartbeat) + "): a live runner would lose its lease to one late heartbeat");
    require(actors.grantWindow().compareTo(heartbeat.multipliedBy(2)) > 0, "baton.actors.session.grant-window ("
        + millis(actors.grantWindow()) + ") must exceed two baton.workers.agent.runner.heartbeat-interval ("
        + millis(heartbeat) + "): a recovered session would give up on a live runner");
    require(agent.runner().ackTimeout().compareTo(actors.lease()) < 0, "baton.workers.agent.runner.ack-timeout ("
        + millis(agent.runner().ackTimeout()) + ") must be shorter than baton.actors.session.lease ("
        + millis(actors.lease()) + "): a chunk must be resent before the lease runs out");
    require(reportStaleAfter(agent).compareTo(agent.reportInterval().multipliedBy(2)) > 0,
        "placement drops GPU reports older than " + millis(reportStaleAfter(agent))
            + ", which must exceed two baton.workers.agent.report-interval (" + millis(agent.reportInterval()) + ")");
  }

  /** A GPU report older than this is ignored by placement: its agent may be gone. */
  static Duration reportStaleAfter(AgentSettings agent) {
    return agent.reportInterval().multipliedBy(6);
  }

  private static String millis(Duration d) {
    return d.toMillis() + " ms";
  }
}
