package io.baton.orchestrator.health;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.apache.pekko.actor.Address;
import org.apache.pekko.cluster.ClusterEvent.CurrentClusterState;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.UniqueAddress;
import org.apache.pekko.util.Version;
import org.junit.jupiter.api.Test;
import scala.Option;
import scala.collection.immutable.Map$;
import scala.collection.immutable.Set$;
import scala.collection.immutable.TreeSet$;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Readiness on the side the split brain resolver keeps (keep-majority): more than half of the Up
 * members reachable, or exactly half including the lowest address.
 *
 * <p>Members are built with {@code Member}'s constructor, which Scala declares private to the
 * cluster package but compiles public; pekko-cluster's own {@code TestMember} is in its test jar,
 * which is not published for use. Pekko is pinned, so a changed constructor fails compilation here.
 */
class MajorityCheckTest {
  private static final Member A = member("10.0.0.1", MemberStatus.up());
  private static final Member B = member("10.0.0.2", MemberStatus.up());
  private static final Member C = member("10.0.0.3", MemberStatus.up());

  private static Member member(String host, MemberStatus status) {
    return new Member(new UniqueAddress(new Address("pekko", "baton", host, 2551), 1L), 1, status,
        Set$.MODULE$.from(CollectionConverters.asScala(List.of("dc-default", "worker"))), Version.Zero());
  }

  private static CurrentClusterState state(List<Member> members, Set<Member> unreachable) {
    return new CurrentClusterState(TreeSet$.MODULE$.from(CollectionConverters.asScala(members), Member.ordering()),
        Set$.MODULE$.from(CollectionConverters.asScala(unreachable)), Set$.MODULE$.empty(), Option.empty(),
        Map$.MODULE$.empty());
  }

  @Test
  void allOfThreeReachableIsReady() {
    assertTrue(MajorityCheck.keeps(state(List.of(A, B, C), Set.of())));
  }

  @Test
  void twoOfThreeReachableIsReady() {
    assertTrue(MajorityCheck.keeps(state(List.of(A, B, C), Set.of(C))));
    assertTrue(MajorityCheck.keeps(state(List.of(A, B, C), Set.of(A))), "the majority need not hold the lowest");
  }

  @Test
  void oneOfThreeReachableIsNotReady() {
    assertFalse(MajorityCheck.keeps(state(List.of(A, B, C), Set.of(B, C))));
  }

  @Test
  void anEvenSplitIsReadyOnlyOnTheSideWithTheLowestAddress() {
    assertTrue(MajorityCheck.keeps(state(List.of(A, B), Set.of(B))));
    assertFalse(MajorityCheck.keeps(state(List.of(A, B), Set.of(A))));
    // Lowest by address, not by the order the members were given in.
    assertFalse(MajorityCheck.keeps(state(List.of(B, C, A, member("10.0.0.4", MemberStatus.up())), Set.of(A, B))));
    assertTrue(MajorityCheck.keeps(state(List.of(C, B, A, member("10.0.0.4", MemberStatus.up())), Set.of(B, C))));
  }

  @Test
  void withoutUpMembersTheNodeIsNotReady() {
    assertFalse(MajorityCheck.keeps(state(List.of(), Set.of())));
    assertFalse(MajorityCheck.keeps(state(List.of(member("10.0.0.1", MemberStatus.joining())), Set.of())));
  }

  @Test
  void onlyUpAndLeavingMembersCount() {
    Member joining = member("10.0.0.9", MemberStatus.joining());
    Member weaklyUp = member("10.0.0.8", MemberStatus.weaklyUp());
    // Two unreachable newcomers do not outvote the one Up member that is reachable.
    assertTrue(MajorityCheck.keeps(state(List.of(A, joining, weaklyUp), Set.of(joining, weaklyUp))));
    Member leaving = member("10.0.0.4", MemberStatus.leaving());
    // A leaving member still counts until it is gone: 1 of 2 reachable, ready only where B (lowest) is.
    assertFalse(MajorityCheck.keeps(state(List.of(leaving, B), Set.of(B))));
    assertTrue(MajorityCheck.keeps(state(List.of(leaving, B), Set.of(leaving))));
  }
}
