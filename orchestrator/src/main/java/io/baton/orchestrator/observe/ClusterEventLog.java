package io.baton.orchestrator.observe;

import java.util.Locale;
import java.util.TreeSet;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One INFO line per cluster membership change this node sees ({@code event=member-up address=...
 * roles=...}), while Pekko's own cluster logger stays at WARN for its chatter. Lines are logged
 * under this class's name, so {@code io.baton.orchestrator.observe.ClusterEventLog} turns them off.
 * At start the members already there are reported as up, as Pekko reports them to a new subscriber.
 */
public final class ClusterEventLog {
  private static final Logger log = LoggerFactory.getLogger(ClusterEventLog.class);

  private ClusterEventLog() {}

  public static Behavior<ClusterEvent.ClusterDomainEvent> create() {
    return Behaviors.setup(context -> {
      Cluster cluster = Cluster.get(context.getSystem());
      cluster.subscriptions().tell(Subscribe.create(context.getSelf().narrow(), ClusterEvent.MemberEvent.class));
      cluster.subscriptions().tell(
          Subscribe.create(context.getSelf().narrow(), ClusterEvent.ReachabilityEvent.class));
      return Behaviors.receiveMessage(event -> {
        log(event);
        return Behaviors.same();
      });
    });
  }

  static void log(ClusterEvent.ClusterDomainEvent event) {
    if (event instanceof ClusterEvent.MemberUp e) {
      member("member-up", e.member(), "");
    } else if (event instanceof ClusterEvent.MemberWeaklyUp e) {
      member("member-weakly-up", e.member(), "");
    } else if (event instanceof ClusterEvent.MemberJoined e) {
      member("member-joined", e.member(), "");
    } else if (event instanceof ClusterEvent.MemberLeft e) {
      member("member-left", e.member(), "");
    } else if (event instanceof ClusterEvent.MemberExited e) {
      member("member-exited", e.member(), "");
    } else if (event instanceof ClusterEvent.MemberDowned e) {
      member("member-downed", e.member(), "");
    } else if (event instanceof ClusterEvent.MemberRemoved e) {
      member("member-removed", e.member(), " previous=" + status(e.previousStatus().toString()));
    } else if (event instanceof ClusterEvent.UnreachableMember e) {
      member("member-unreachable", e.member(), "");
    } else if (event instanceof ClusterEvent.ReachableMember e) {
      member("member-reachable", e.member(), "");
    }
  }

  private static void member(String event, Member m, String more) {
    log.info("event={} address={} status={} roles={}{}", event, m.address(), status(m.status().toString()),
        String.join(",", new TreeSet<>(m.getRoles())), more);
  }

  /** "Up", "WeaklyUp" as written in Pekko's docs and logs, lower case with dashes: up, weakly-up. */
  static String status(String pekkoStatus) {
    return pekkoStatus.replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
  }
}
