package io.baton.orchestrator;

import static io.baton.actors.Timing.require;

import com.typesafe.config.Config;
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
    // Node-loss and fleet windows are all derived from the report interval (FleetTiming), so they
    // keep their relations by construction; what remains is their relation to the runner's lease.
    require(agent.reportInterval().compareTo(actors.grantWindow()) < 0, "baton.workers.agent.report-interval ("
        + millis(agent.reportInterval()) + ") must be shorter than baton.actors.session.grant-window ("
        + millis(actors.grantWindow()) + "): placement would offer GPUs from reports older than a grant may wait");
  }

  /** The readiness check's own timeout must leave room for the journal's query inside it. */
  static void checkHealth(Config config) {
    Duration check = config.getDuration("pekko.management.health-checks.check-timeout");
    Duration journal = config.getDuration("pekko.persistence.cassandra.healthcheck.timeout");
    require(check.compareTo(journal) > 0, "pekko.management.health-checks.check-timeout (" + millis(check)
        + ") must exceed pekko.persistence.cassandra.healthcheck.timeout (" + millis(journal) + "): a slow journal"
        + " would show as a timed-out readiness check instead of a failed journal check");
  }

  private static String millis(Duration d) {
    return d.toMillis() + " ms";
  }
}
