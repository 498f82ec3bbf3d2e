package io.baton.orchestrator.health;

import java.util.List;
import java.util.Set;
import java.util.stream.StreamSupport;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import scala.concurrent.Future;
import scala.runtime.AbstractFunction0;

/**
 * Readiness: this node is on the side of a partition that the split brain resolver keeps
 * (keep-majority: more than half of the members reachable, or exactly half with the lowest
 * address). A node cut off into a minority stops taking traffic at once, before the resolver
 * downs it, instead of accepting requests it cannot place or persist safely.
 *
 * <p>A Scala function rather than a Java {@code Supplier}: pekko-management names a failed check by
 * its class, and wraps a {@code Supplier} in a lambda whose name tells an operator nothing.
 */
public final class MajorityCheck extends AbstractFunction0<Future<Boolean>> {
  private final Cluster cluster;

  public MajorityCheck(ActorSystem system) {
    this.cluster = Cluster.get(system);
  }

  @Override
  public Future<Boolean> apply() {
    return Future.successful(keeps(cluster.state()));
  }

  static boolean keeps(ClusterEvent.CurrentClusterState state) {
    List<Member> members = StreamSupport.stream(state.getMembers().spliterator(), false)
        .filter(m -> m.status() == MemberStatus.up() || m.status() == MemberStatus.leaving())
        .sorted((a, b) -> Member.addressOrdering().compare(a.address(), b.address()))
        .toList();
    if (members.isEmpty()) {
      return false;
    }
    Set<Member> unreachable = state.getUnreachable();
    long reachable = members.stream().filter(m -> !unreachable.contains(m)).count();
    if (reachable * 2 != members.size()) {
      return reachable * 2 > members.size();
    }
    return !unreachable.contains(members.get(0));
  }
}
