package io.baton.orchestrator.observe;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.stream.StreamSupport;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.MemberStatus;

/**
 * The cluster as this node sees it, read from Pekko's cluster state at each scrape:
 * {@code baton_cluster_members{status}} (joining, weakly-up, up, leaving, exiting, down) and
 * {@code baton_cluster_unreachable_members}, the members this node's failure detector has lost (on
 * a node cut off in a minority, that is the majority).
 */
final class ClusterMeters {
  private static final List<MemberStatus> STATUSES = List.of(MemberStatus.joining(), MemberStatus.weaklyUp(),
      MemberStatus.up(), MemberStatus.leaving(), MemberStatus.exiting(), MemberStatus.down());

  private ClusterMeters() {}

  static void bind(ActorSystem system, MeterRegistry registry) {
    Cluster cluster = Cluster.get(system);
    for (MemberStatus status : STATUSES) {
      Gauge.builder("baton.cluster.members", cluster, c -> count(c, status))
          .description("Cluster members by status, as this node sees them")
          .tag("status", ClusterEventLog.status(status.toString())).strongReference(true).register(registry);
    }
    Gauge.builder("baton.cluster.unreachable.members", cluster, c -> c.state().getUnreachable().size())
        .description("Cluster members this node's failure detector marks unreachable").strongReference(true)
        .register(registry);
  }

  private static long count(Cluster cluster, MemberStatus status) {
    return StreamSupport.stream(cluster.state().getMembers().spliterator(), false)
        .filter(m -> m.status().equals(status)).count();
  }
}
