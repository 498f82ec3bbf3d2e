package io.baton.orchestrator.feed;

import io.baton.actors.feed.FeedEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;

/**
 * Cluster membership on the admin feed. Every node sees every change, so only the node that is
 * the leader in its own view publishes it: one entry per change, and on each side of a partition
 * the side's own view. A downing of an unreachable member is the split-brain resolver's decision
 * (nothing else downs here but an operator through /cluster), and says how long it was unreachable.
 */
public final class MemberFeed {
  private MemberFeed() {}

  public static Behavior<ClusterEvent.ClusterDomainEvent> create(FeedPublisher feed, String strategy) {
    return Behaviors.setup(context -> {
      Cluster cluster = Cluster.get(context.getSystem());
      cluster.subscriptions().tell(Subscribe.create(context.getSelf().narrow(), ClusterEvent.MemberEvent.class));
      cluster.subscriptions().tell(Subscribe.create(context.getSelf().narrow(), ClusterEvent.ReachabilityEvent.class));
      Map<Address, Instant> unreachableSince = new HashMap<>();
      return Behaviors.receiveMessage(event -> {
        String detail = "";
        if (event instanceof ClusterEvent.UnreachableMember u) {
          unreachableSince.putIfAbsent(u.member().address(), Instant.now());
        } else if (event instanceof ClusterEvent.ReachableMember r) {
          unreachableSince.remove(r.member().address());
        } else if (event instanceof ClusterEvent.MemberDowned d) {
          Instant since = unreachableSince.get(d.member().address());
          detail = since == null ? "downed while reachable: an operator's or the member's own decision"
              : "the split-brain resolver (" + strategy + ") downed it after "
                  + Duration.between(since, Instant.now()).toMillis() / 1000.0 + " s unreachable";
        } else if (event instanceof ClusterEvent.MemberRemoved r) {
          unreachableSince.remove(r.member().address());
        }
        String change = change(event);
        Address leader = cluster.state().getLeader();
        if (change != null && cluster.selfMember().address().equals(leader)) {
          Member m = member(event);
          feed.publish(new FeedEvent.MemberChanged(m.address().toString(), change,
              m.status().toString().replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT),
              List.copyOf(new TreeSet<>(m.getRoles())), detail));
        }
        return Behaviors.same();
      });
    });
  }

  private static String change(ClusterEvent.ClusterDomainEvent event) {
    if (event instanceof ClusterEvent.MemberUp) {
      return "up";
    } else if (event instanceof ClusterEvent.UnreachableMember) {
      return "unreachable";
    } else if (event instanceof ClusterEvent.ReachableMember) {
      return "reachable";
    } else if (event instanceof ClusterEvent.MemberDowned) {
      return "downed";
    } else if (event instanceof ClusterEvent.MemberRemoved) {
      return "removed";
    } else if (event instanceof ClusterEvent.MemberLeft) {
      return "left";
    }
    return null;
  }

  private static Member member(ClusterEvent.ClusterDomainEvent event) {
    if (event instanceof ClusterEvent.MemberEvent m) {
      return m.member();
    }
    return ((ClusterEvent.ReachabilityEvent) event).member();
  }
}
