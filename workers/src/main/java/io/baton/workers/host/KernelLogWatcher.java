package io.baton.workers.host;

import io.baton.actors.Printable;
import io.baton.workers.agent.AgentCommand;
import io.baton.workers.agent.XidSignal;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.BehaviorBuilder;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * The host's passive GPU health: follows the kernel log, maps each NVIDIA Xid line's PCI bus id to
 * one of this node's GPUs through the {@link GpuInventory}, and hands it to the local agent as
 * {@link AgentCommand.ObserveXid}, the very path /admin/chaos's XIDs take, so that the catalog
 * classes it and the agent acts on its class in one place.
 *
 * <p>One actor per node, with a behavior per state: starting (its reader thread opens the source),
 * following, and backing off (the source failed: it is opened again after an exponential backoff,
 * and meanwhile the host's XID signal is stale, because a GPU whose log nobody reads looks healthy
 * whatever happens to it). Reads block, so they run on a thread the actor owns and stops with it;
 * the inventory command runs on the blocking dispatcher, never on the actors' threads.
 */
public final class KernelLogWatcher {
  /** XIDs held while the inventory is asked about a bus id it did not list; beyond this they are dropped. */
  private static final int MAX_WAITING = 64;

  public sealed interface Command {}

  private record Opened(int generation) implements Command {}

  /** An Xid line ({@link XidLine.Found} or {@link XidLine.Unparsed}); the rest of the log never reaches the actor. */
  private record Read(XidLine.Result line) implements Command {}

  private record SourceFailed(int generation, String why, String advice) implements Command {}

  private record Restart() implements Command {}

  private record InventoryAnswered(List<GpuInventory.Gpu> gpus, Throwable error) implements Command {}

  /** Which reader is current (an older one's reports are ignored), the host's signal, the next backoff. */
  private record State(int generation, XidSignal signal, Duration backoff) {}

  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final KernelLogSettings settings;
  private final GpuInventory inventory;
  private final ActorRef<AgentCommand> agent;
  private final MeterRegistry metrics;
  private final LineSource source;
  // Touched only by the actor, each replaced whole.
  private GpuInventory.Mapping mapping;
  private List<XidLine> waiting = List.of();
  private Set<String> loggedKinds = Set.of();
  private boolean refreshing;
  private Thread reader;
  private volatile boolean stopped;

  private KernelLogWatcher(ActorContext<Command> context, TimerScheduler<Command> timers, KernelLogSettings settings,
      List<GpuInventory.Local> locals, GpuInventory inventory, ActorRef<AgentCommand> agent, MeterRegistry metrics) {
    this.context = context;
    this.timers = timers;
    this.settings = settings;
    this.mapping = new GpuInventory.Mapping(locals, Map.of());
    this.inventory = inventory;
    this.agent = agent;
    this.metrics = metrics;
    this.source = LineSource.of(settings);
  }

  /**
   * @param locals this node's GPUs, which XIDs are mapped to
   * @param agent the node's agent: told each XID, and the host's signal and GPU identities as they change
   * @param metrics where unreadable Xid lines are counted ({@code baton.kernel_log.unparsed}, by kind)
   */
  public static Behavior<Command> create(KernelLogSettings settings, List<GpuInventory.Local> locals,
      GpuInventory inventory, ActorRef<AgentCommand> agent, MeterRegistry metrics) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      KernelLogWatcher w = new KernelLogWatcher(ctx, timers, settings, locals, inventory, agent, metrics);
      XidSignal opening = new XidSignal(XidSignal.State.STALE, Instant.now(), "opening " + w.source.describe());
      w.report(opening);
      w.refreshInventory();
      return w.start(new State(0, opening, settings.backoffMin()));
    }));
  }

  private Behavior<Command> start(State s) {
    int generation = s.generation() + 1;
    ActorRef<Command> self = context.getSelf();
    reader = new Thread(() -> read(generation, self), "kernel-log-reader-" + generation);
    reader.setDaemon(true);
    reader.start();
    return starting(new State(generation, s.signal(), s.backoff()));
  }

  private Behavior<Command> starting(State s) {
    return common(s).onMessage(Opened.class, m -> m.generation() == s.generation(), m -> following(live(s)))
        .onMessage(SourceFailed.class, m -> m.generation() == s.generation(), m -> backOff(s, m))
        .build();
  }

  private Behavior<Command> following(State s) {
    return common(s).onMessage(SourceFailed.class, m -> m.generation() == s.generation(), m -> backOff(s, m))
        .build();
  }

  private Behavior<Command> backingOff(State s) {
    return common(s).onMessage(Restart.class, m -> start(s)).build();
  }

  /** What every state handles: Xid lines (any reader's: each was really logged), inventory answers, the stop. */
  private BehaviorBuilder<Command> common(State s) {
    return Behaviors.receive(Command.class)
        .onMessage(Read.class, m -> {
          onRead(m.line());
          return Behaviors.same();
        })
        .onMessage(InventoryAnswered.class, m -> {
          onInventory(m, s.signal());
          return Behaviors.same();
        })
        .onSignal(PostStop.class, sig -> {
          stopped = true;
          source.close();
          reader.interrupt();
          return Behaviors.same();
        });
  }

  private State live(State s) {
    context.getLog().info("kernel-log source={} following; this host's XID signal is live", source.describe());
    XidSignal live = new XidSignal(XidSignal.State.LIVE, Instant.now(), null);
    report(live);
    return new State(s.generation(), live, s.backoff());
  }

  private Behavior<Command> backOff(State s, SourceFailed m) {
    // A source that ran longer than the longest wait failed afresh and is retried soon; one that keeps
    // failing right after it opens (a command that exits at once) keeps doubling its wait.
    boolean ranLong = s.signal().state() == XidSignal.State.LIVE
        && Duration.between(s.signal().since(), Instant.now()).compareTo(settings.backoffMax()) > 0;
    Duration wait = ranLong ? settings.backoffMin() : s.backoff();
    Instant since = s.signal().state() == XidSignal.State.STALE ? s.signal().since() : Instant.now();
    XidSignal stale = new XidSignal(XidSignal.State.STALE, since, m.why() + "; retrying in " + wait.toMillis() + " ms");
    context.getLog().warn("kernel-log source={} failed: {}. XIDs on this host go unseen until it is read again;"
        + " retrying in {} ms. To fix: {}", source.describe(), m.why(), wait.toMillis(), m.advice());
    report(stale);
    timers.startSingleTimer(new Restart(), wait);
    refreshInventory(); // a failing host may have lost or regained GPUs too
    Duration doubled = wait.multipliedBy(2);
    return backingOff(new State(s.generation(), stale,
        doubled.compareTo(settings.backoffMax()) > 0 ? settings.backoffMax() : doubled));
  }

  /** The reader thread: opens the source, passes Xid lines to the actor, and reports how it ended. */
  private void read(int generation, ActorRef<Command> self) {
    try {
      source.open();
      self.tell(new Opened(generation));
      while (true) {
        XidLine.Result line = XidLine.parse(source.next());
        if (!(line instanceof XidLine.Ignored)) {
          self.tell(new Read(line));
        }
      }
    } catch (Exception e) {
      source.close();
      if (!stopped) {
        String why = e instanceof NoSuchFileException ? source.describe() + " does not exist"
            : e instanceof AccessDeniedException ? "permission denied reading " + source.describe()
            : e.getMessage() == null ? e.toString() : e.getMessage();
        self.tell(new SourceFailed(generation, why, source.advice(e)));
      }
    }
  }

  private void onRead(XidLine.Result line) {
    if (line instanceof XidLine.Unparsed u) {
      metrics.counter("baton.kernel_log.unparsed", "kind", u.kind()).increment();
      if (!loggedKinds.contains(u.kind())) {
        Set<String> kinds = new HashSet<>(loggedKinds);
        kinds.add(u.kind());
        loggedKinds = Set.copyOf(kinds);
        context.getLog().warn("kernel-log NVRM Xid line not understood kind={} line=\"{}\"; such lines are counted in"
            + " baton.kernel_log.unparsed and logged once per kind: report it with the driver's version", u.kind(),
            Printable.of(u.line()));
      }
    } else if (line instanceof XidLine.Found f) {
      deliver(f.xid(), true);
    }
  }

  /** @param mayWait whether an XID on a bus id the inventory does not list waits for a fresh inventory */
  private void deliver(XidLine xid, boolean mayWait) {
    String gpuId = mapping.gpuId(xid.pciBusId()).orElse(null);
    if (gpuId == null && mayWait && !mapping.byPci().containsKey(xid.pciBusId()) && waiting.size() < MAX_WAITING) {
      // A GPU the inventory did not list (replaced, or the inventory has not answered yet): ask again.
      List<XidLine> more = new ArrayList<>(waiting);
      more.add(xid);
      waiting = List.copyOf(more);
      refreshInventory();
    } else if (gpuId == null) {
      context.getLog().warn("kernel-log XID {} on PCI {} is no GPU of this node's agent; ignored. Check that"
          + " baton.workers.kernel-log.inventory-command ({}) lists this host's GPUs, with the agent's indexes or"
          + " UUIDs", xid.code(), xid.pciBusId(), settings.inventoryCommand());
    } else {
      context.getLog().info("kernel-log XID {} on PCI {} is gpu {}; handing it to the agent", xid.code(),
          xid.pciBusId(), gpuId);
      agent.tell(new AgentCommand.ObserveXid(gpuId, xid.code(), xid.describe()));
    }
  }

  private void refreshInventory() {
    if (refreshing) {
      return;
    }
    refreshing = true;
    context.pipeToSelf(CompletableFuture.supplyAsync(() -> {
      try {
        return inventory.query();
      } catch (IOException | InterruptedException e) {
        throw new CompletionException(e);
      }
    }, context.getSystem().dispatchers().lookup(DispatcherSelector.blocking())), InventoryAnswered::new);
  }

  private void onInventory(InventoryAnswered m, XidSignal signal) {
    refreshing = false;
    if (m.error() != null) {
      Throwable cause = m.error() instanceof CompletionException && m.error().getCause() != null
          ? m.error().getCause() : m.error();
      context.getLog().warn("kernel-log GPU inventory failed: {}; keeping the previous one ({} GPUs). Check that"
          + " baton.workers.kernel-log.inventory-command ({}) runs on this host", cause.getMessage(),
          mapping.byPci().size(), settings.inventoryCommand());
    } else {
      mapping = mapping.with(m.gpus());
      context.getLog().info("kernel-log GPU inventory: {}", m.gpus());
      report(signal);
    }
    List<XidLine> retry = waiting;
    waiting = List.of();
    retry.forEach(xid -> deliver(xid, false));
  }

  /** Tells the agent the host's signal and the GPUs' identities, for /admin/workers. */
  private void report(XidSignal signal) {
    agent.tell(new AgentCommand.HostObserved(signal, mapping.identities()));
  }
}
