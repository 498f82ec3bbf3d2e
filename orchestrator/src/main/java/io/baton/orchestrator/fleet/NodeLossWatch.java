package io.baton.orchestrator.fleet;

import io.baton.actors.session.FailureCause;
import io.baton.actors.session.Session;
import io.baton.actors.session.SessionCommand;
import io.baton.actors.worker.GpuWorker;
import io.baton.actors.worker.GpuWorkerCommand;
import io.baton.workers.agent.AgentCommand;
import io.baton.workers.agent.GpuReport;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;

/**
 * Detection path 4 of DESIGN.md. When the failure detector flags a worker node unreachable, the
 * sessions of the attempts its GPU reports last listed are told at once (NODE_UNREACHABLE) and its GPUs are
 * marked suspect, without waiting for downing: attempt fencing makes this safe if the node returns,
 * and a returning node's agent resets and checks those GPUs before they serve again.
 *
 * <p>Every node runs one, so losing any one node (or the fleet controller's) delays nothing. Only
 * the first reachable member by address acts on a loss, to keep the journal free of duplicate
 * rejections; if views differ for a moment, two acting is harmless because Session and GpuWorker
 * ignore a failure of an attempt that is no longer current and a suspect mark on a suspect GPU.
 *
 * <p>These are hints (DESIGN.md, "Attempts"): each session decides, and ignores one that names an
 * attempt it no longer runs. A session whose own entity host died needs nothing from here: its
 * recovered entity gives the attempt the grant window to hear from its runner.
 */
public final class NodeLossWatch {

  public sealed interface Command {}

  /**
   * A session on this node granted {@code attempt} to a GPU whose agent lives at {@code agent}:
   * if that node becomes unreachable before any GPU report lists the attempt (it died right after
   * the grant), the session still hears of it here.
   */
  public record Granted(Address agent, String sessionId, int attempt, String gpuId, ActorRef<SessionCommand> session)
      implements Command {}

  /**
   * A session on this node recovered with {@code attempt} running on {@code gpuId}: hinted at once
   * if that GPU has gone silent; otherwise watched like a grant, and its agent told, so that the
   * runner resends to the new host at once.
   */
  public record Recovered(String sessionId, int attempt, String gpuId, ActorRef<SessionCommand> session)
      implements Command {}

  /** The session's attempt ended or moved on: nothing to tell it about that node any more. */
  public record Ended(String sessionId) implements Command {}

  private record Watched(Address agent, int attempt, String gpuId, ActorRef<SessionCommand> session) {}

  private record ReportHeard(GpuReport report) implements Command {}

  private record Reachability(ClusterEvent.ReachabilityEvent event) implements Command {}

  private record Tick() implements Command {}

  private record Removed(Member member) implements Command {}

  /** A loss this node could not judge (it had just been frozen): looked at again later. */
  private record Reconsider(Member member) implements Command {}

  private final FleetTiming timing;

  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final Consumer<Address> forgetNode;
  private final String by;
  private final Map<String, GpuReport> reports = new HashMap<>();
  /** When each GPU's latest report arrived, by this node's clock: hosts' clocks may disagree. */
  private final Map<String, Instant> heardAt = new HashMap<>();
  /** GPUs each unreachable node's reports listed, marked suspect again once the node is removed. */
  private final Map<Address, List<String>> lostGpus = new HashMap<>();
  /** The running attempts this node's sessions granted, by session: hinted at once when their node is lost. */
  private final Map<String, Watched> granted = new HashMap<>();
  private final Instant startedAt = Instant.now();
  private long lastTick = System.nanoTime();
  private long distrustUntil = System.nanoTime();

  private NodeLossWatch(ActorContext<Command> context, TimerScheduler<Command> timers, String nodeId,
      Consumer<Address> forgetNode, FleetTiming timing) {
    this.context = context;
    this.timing = timing;
    this.timers = timers;
    this.forgetNode = forgetNode;
    this.by = "node-watch@" + nodeId;
  }

  /**
   * @param forgetNode told the address of each unreachable member, so this node's placer stops
   *     offering its GPUs at once instead of waiting for their reports to go stale
   */
  public static Behavior<Command> create(String nodeId, ActorRef<Topic.Command<GpuReport>> reportTopic,
      Consumer<Address> forgetNode, FleetTiming timing) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      reportTopic.tell(Topic.subscribe(ctx.messageAdapter(GpuReport.class, ReportHeard::new)));
      Cluster.get(ctx.getSystem()).subscriptions().tell(Subscribe.create(
          ctx.messageAdapter(ClusterEvent.ReachabilityEvent.class, Reachability::new),
          ClusterEvent.ReachabilityEvent.class));
      Cluster.get(ctx.getSystem()).subscriptions().tell(Subscribe.create(
          ctx.messageAdapter(ClusterEvent.MemberRemoved.class, e -> new Removed(e.member())),
          ClusterEvent.MemberRemoved.class));
      timers.startTimerWithFixedDelay(new Tick(), timing.tick());
      return new NodeLossWatch(ctx, timers, nodeId, forgetNode, timing).behavior();
    }));
  }

  private Behavior<Command> behavior() {
    return Behaviors.receive(Command.class)
        .onMessage(ReportHeard.class, m -> {
          reports.put(m.report().gpuId(), m.report());
          heardAt.put(m.report().gpuId(), Instant.now());
          return Behaviors.same();
        })
        .onMessage(Tick.class, m -> {
          noteFreeze();
          return Behaviors.same();
        })
        .onMessage(Reachability.class, m -> {
          if (m.event() instanceof ClusterEvent.UnreachableMember u) {
            onUnreachable(u.member());
          }
          return Behaviors.same();
        })
        .onMessage(Reconsider.class, m -> {
          if (Cluster.get(context.getSystem()).state().getUnreachable().contains(m.member())) {
            onUnreachable(m.member());
          }
          return Behaviors.same();
        })
        .onMessage(Removed.class, m -> {
          onRemoved(m.member().address());
          return Behaviors.same();
        })
        .onMessage(Granted.class, m -> {
          granted.put(m.sessionId(), new Watched(m.agent(), m.attempt(), m.gpuId(), m.session()));
          return Behaviors.same();
        })
        .onMessage(Recovered.class, m -> {
          onRecovered(m);
          return Behaviors.same();
        })
        .onMessage(Ended.class, m -> {
          granted.remove(m.sessionId());
          return Behaviors.same();
        })
        .build();
  }

  /**
   * A node that was frozen wakes up to find it heard no heartbeat from anyone: its detector flags
   * healthy nodes one by one, and acting on that would move their sessions and blame their GPUs.
   */
  private boolean noteFreeze() {
    long now = System.nanoTime();
    if (now - lastTick > timing.frozenAfter().toNanos()) {
      distrustUntil = now + timing.distrustAfterFreeze().toNanos();
      context.getLog().warn("this node was frozen or starved for {} ms; its failure detector is not trusted for {} s",
          (now - lastTick) / 1_000_000, timing.distrustAfterFreeze().toSeconds());
    }
    lastTick = now;
    return now < distrustUntil;
  }

  private void onUnreachable(Member member) {
    if (noteFreeze()) {
      // Looked at again once this node trusts itself: a real loss is still there then.
      timers.startSingleTimer(member.address(), new Reconsider(member), timing.distrustAfterFreeze());
      return;
    }
    Address address = member.address();
    if (heardRecently(address)) {
      // Reachability is the union of every member's view: a node resumed from a freeze flags
      // healthy nodes for a moment, and everyone hears it. This node still gets the flagged node's
      // reports, so it waits and looks again; a real loss is silent by then.
      timers.startSingleTimer(member.address(), new Reconsider(member), timing.stillTalkingRecheck());
      return;
    }
    forgetNode.accept(address);
    List<GpuReport> lost = reports.values().stream().filter(r -> isOn(r, address)).toList();
    lost.forEach(r -> reports.remove(r.gpuId()));
    if (!lost.isEmpty()) {
      lostGpus.put(address, lost.stream().map(GpuReport::gpuId).toList());
    }
    if (!onMajoritySide(address)) {
      return;
    }
    hintGranted(address, lost.isEmpty() ? address.toString() : lost.get(0).nodeId());
    if (!actsForCluster(address)) {
      return;
    }
    String node = lost.isEmpty() ? address.toString() : lost.get(0).nodeId();
    context.getLog().warn("node {} ({}) unreachable: failing {} running attempt(s) and marking {} GPU(s) suspect",
        node, address, lost.stream().mapToInt(r -> r.running().size()).sum(), lost.size());
    ClusterSharding sharding = ClusterSharding.get(context.getSystem());
    for (GpuReport r : lost) {
      String why = "node " + node + " unreachable (cluster failure detector)";
      r.running().forEach((sessionId, attempt) -> sharding.entityRefFor(Session.ENTITY_KEY, sessionId)
          .tell(new SessionCommand.Hint(attempt, r.gpuId(),
              FailureCause.of(FailureCause.Kind.NODE_UNREACHABLE, why + " while " + r.gpuId() + " ran it"))));
      sharding.entityRefFor(GpuWorker.ENTITY_KEY, r.gpuId()).tell(new GpuWorkerCommand.MarkSuspect(by,
          why + "; its agent resets and checks it when the node is back", context.getSystem().ignoreRef()));
    }
  }

  private void onRemoved(Address address) {
    List<String> gpus = new ArrayList<>(lostGpus.getOrDefault(address, List.of()));
    lostGpus.remove(address);
    // A report in flight when the node became unreachable lands after its GPUs were taken out of
    // this watch's view: its GPU is just as lost.
    List<GpuReport> late = reports.values().stream().filter(r -> isOn(r, address)).toList();
    late.forEach(r -> {
      reports.remove(r.gpuId());
      if (!gpus.contains(r.gpuId())) {
        gpus.add(r.gpuId());
      }
    });
    if (!gpus.isEmpty() && actsForCluster(address)) {
      RemovedNodeGpus.markSuspect(context.getSystem(), by, address, gpus);
    }
  }

  /**
   * Every node tells its own sessions whose granted attempt runs on the lost node, whether or not a
   * report listed it yet; a session that also hears from the acting node's report ignores the
   * second hint, which names an attempt it no longer runs.
   */
  private void hintGranted(Address lost, String node) {
    granted.values().removeIf(w -> {
      if (!w.agent().equals(lost)) {
        return false;
      }
      w.session().tell(new SessionCommand.Hint(w.attempt(), w.gpuId(), FailureCause.of(
          FailureCause.Kind.NODE_UNREACHABLE, "node " + node + " unreachable (cluster failure detector) while "
              + w.gpuId() + " ran it")));
      return true;
    });
  }

  /**
   * An entity restarts elsewhere only after its node was downed, seconds after that node went
   * silent: a GPU of the same node has sent no report for longer than the staleness window by then.
   * A watch that started too recently to have heard the GPU says nothing.
   */
  private void onRecovered(Recovered m) {
    Instant now = Instant.now();
    Instant heard = heardAt.get(m.gpuId());
    boolean warm = startedAt.isBefore(now.minus(timing.reportStaleAfter()));
    if (warm && (heard == null || heard.isBefore(now.minus(timing.reportStaleAfter())))) {
      m.session().tell(new SessionCommand.Hint(m.attempt(), m.gpuId(), FailureCause.of(
          FailureCause.Kind.NODE_UNREACHABLE, m.gpuId() + " sent no report for over "
              + timing.reportStaleAfter().toMillis() + " ms when the session recovered: its node is gone")));
      return;
    }
    GpuReport report = reports.get(m.gpuId());
    if (report != null && report.agent() != null) {
      granted.put(m.sessionId(), new Watched(report.agent().path().address(), m.attempt(), m.gpuId(), m.session()));
      report.agent().tell(new AgentCommand.SessionMoved(m.gpuId(), m.sessionId(), m.attempt()));
      context.getLog().info("session {} recovered here with attempt {} running on {}: its runner resends now",
          m.sessionId(), m.attempt(), m.gpuId());
    }
  }

  /** A report from that node's agent within two report intervals. */
  private boolean heardRecently(Address address) {
    Instant since = Instant.now().minus(timing.stillTalking());
    return reports.values().stream().anyMatch(r -> isOn(r, address) && heardAt.get(r.gpuId()).isAfter(since));
  }

  private static boolean isOn(GpuReport r, Address address) {
    return r.agent() != null && address.equals(r.agent().path().address());
  }

  /**
   * True on the first member by address that can still see the others, and only on the side of a
   * majority: a node that was paused (a long GC) or cut off sees everyone else unreachable and must
   * not move their sessions; the split brain resolver downs that side instead.
   */
  private boolean actsForCluster(Address lost) {
    return onMajoritySide(lost) && reachableMembers(lost).get(0).equals(Cluster.get(context.getSystem()).selfMember());
  }

  /** Whether this node sees a majority of the members, the lost one aside; a minority moves nobody. */
  private boolean onMajoritySide(Address lost) {
    int members = 0;
    for (Member ignored : Cluster.get(context.getSystem()).state().getMembers()) {
      members++;
    }
    int reachable = reachableMembers(lost).size();
    if (reachable * 2 <= members) {
      context.getLog().warn("node {} unreachable, but this node sees only {} of {} members: not acting (minority side)",
          lost, reachable, members);
      return false;
    }
    return true;
  }

  /** The members this node can reach, sorted by address, the lost one aside. */
  private List<Member> reachableMembers(Address lost) {
    ClusterEvent.CurrentClusterState state = Cluster.get(context.getSystem()).state();
    Set<Member> unreachable = state.getUnreachable();
    List<Member> members = new ArrayList<>();
    state.getMembers().forEach(members::add); // sorted by address
    return members.stream()
        .filter(m -> m.status() == MemberStatus.up() && !unreachable.contains(m) && !m.address().equals(lost))
        .toList();
  }

}
