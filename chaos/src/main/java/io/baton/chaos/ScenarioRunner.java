package io.baton.chaos;

import com.typesafe.config.ConfigFactory;
import io.baton.chaos.report.ChaosReport;
import io.baton.orchestrator.cluster.LocalCluster;
import io.baton.orchestrator.cluster.NodeProcess;
import io.baton.persistence.BatonConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs scenarios one after another on one {@link LocalCluster}: reset the cluster, start the
 * workload, inject the faults at their offsets, wait until every client and the batch ended, wait
 * for the pool to refill, then read back every session and check the invariants.
 */
final class ScenarioRunner {
  private static final Logger log = LoggerFactory.getLogger(ScenarioRunner.class);
  static final int NUMBER_OF_SHARDS = BatonConfig.load().getInt("baton.actors.number-of-shards");
  /** Promoting a spare takes a second; a reset plus health check a few. Longer than this is not "refilled". */
  /**
   * How long the pool may take to settle after healing: after a crash of a node hosting GpuWorker
   * entities, they answer again only after downing and the down-removal margin (~17-19 s).
   */
  static final Duration POOL_TIMEOUT = Duration.ofSeconds(30);
  static final Duration AUDIT_WAIT = Duration.ofSeconds(15);

  /**
   * @param duration the workload's length: arrivals spread over its first half, faults at fractions of it
   * @param settle how long after the duration clients may still read their streams
   */
  record Options(long seed, Duration duration, Duration settle, int sessions, int batchLines, int dropEvery) {
    static Options of(long seed, Duration duration, int nodes) {
      // About one arrival per 0.8 s: on two cores shared by Cassandra and three nodes, more than a
      // dozen concurrent streams turns every recovery into a wait for CPU.
      int sessions = (int) Math.max(6, Math.min(40, duration.toSeconds() * 4 / 5));
      return new Options(seed, duration, Duration.ofSeconds(Math.max(30, duration.toSeconds())), sessions,
          Math.max(4, sessions / 2), 4);
    }
  }

  /**
   * What every node runs with: the replay filter and stash overflow fail loudly (invariants 3, 4);
   * a disconnect leaves the session running (clients resume it); one-second keep-alive pings let
   * a client tell a silent stream on a frozen node from a slow one.
   */
  static Map<String, String> nodeConfig() {
    Map<String, String> c = new LinkedHashMap<>();
    c.put("pekko.persistence.cassandra.journal.replay-filter.mode", "fail");
    c.put("pekko.persistence.typed.stash-overflow-strategy", "fail");
    c.put("baton.http.on-disconnect", "finish");
    c.put("baton.http.keep-alive", "1s");
    return c;
  }

  private final LocalCluster cluster;
  private final Options options;
  private final Consumer<String> progress;
  private final NodeDirectory directory;
  private final Fleet fleet;
  private final FaultInjector injector;
  private final ClusterReset reset;
  private final Bounds bounds;
  private final References references = References.forModel(Workload.MODEL);
  private final int totalGpus;
  private int baselineActive = -1;

  ScenarioRunner(LocalCluster cluster, Options options, Consumer<String> progress) {
    this.cluster = cluster;
    this.options = options;
    this.progress = progress;
    this.directory = new NodeDirectory(cluster.nodes().stream().map(NodeProcess::nodeId).toList(),
        cluster.nodes().stream().collect(Collectors.toMap(NodeProcess::nodeId, NodeProcess::httpUrl)));
    this.fleet = new Fleet(directory, NUMBER_OF_SHARDS, id -> cluster.node(id).managementUrl());
    this.injector = new FaultInjector(cluster, directory);
    this.reset = new ClusterReset(cluster, directory, fleet);
    this.bounds = Bounds.from(cluster.options().nodeConfig());
    this.totalGpus = cluster.options().nodes() * cluster.options().gpusPerNode();
  }

  List<ChaosReport> runAll(List<Scenario> scenarios) throws Exception {
    List<ChaosReport> reports = new ArrayList<>();
    for (int i = 0; i < scenarios.size(); i++) {
      reports.add(run(scenarios.get(i), i));
    }
    return reports;
  }

  ChaosReport run(Scenario scenario, int ordinal) throws Exception {
    if (baselineActive < 0) {
      Poll.until(ClusterReset.POOL_TIMEOUT, Duration.ofMillis(500), () -> fleet.gpus().size() >= totalGpus);
      baselineActive = (int) fleet.gpus().stream().filter(g -> g.state().equals("active")).count();
      WarmUp.run(options, directory, fleet, injector, progress);
    }
    String prepared = reset.before(scenario.name(), baselineActive, totalGpus);
    progress.accept("scenario " + scenario.name() + ": preparing (" + prepared + ")");
    Map<String, Path> logFiles = cluster.nodes().stream()
        .collect(Collectors.toMap(NodeProcess::nodeId, NodeProcess::logFile));
    Map<String, Long> marks = NodeLogs.mark(logFiles);
    long seed = options.seed() * 1_000 + ordinal;
    Workload workload = scenario.shape()
        .map(shape -> Workload.shaped(seed, shape, options.duration(), places(), bounds.decodePerToken(),
            directory.size(), options.dropEvery()))
        .orElseGet(() -> Workload.generate(seed, options.sessions(), options.batchLines(),
            options.duration().dividedBy(2), directory.size(), options.dropEvery()));
    Map<String, String> expected = references.compute(workload);
    List<Fleet.Gpu> initial = fleet.gpus();
    progress.accept("scenario " + scenario.name() + ": " + scenario.description() + "; " + workload.completions().size()
        + " streams + " + workload.batch().size() + "-line batch, seed " + seed);

    Instant started = Instant.now();
    Instant deadline = started.plus(options.duration()).plus(options.settle());
    List<FaultInjector.Injection> injections = Collections.synchronizedList(new ArrayList<>());
    List<String> notInjected = Collections.synchronizedList(new ArrayList<>());
    List<Observations.Rotation> rotation = new ArrayList<>();
    List<StreamLog> streams;
    BatchClient.BatchLog batch;
    try (FleetWatch watch = new FleetWatch(fleet).start();
        WorkloadRun run = WorkloadRun.start(workload, directory, deadline)) {
      FaultSchedule schedule = FaultSchedule.start(scenario, started, options.duration(), injector, fleet, run,
          cluster.nodes().get(0).nodeId(), injections, notInjected);
      run.await(Duration.ofSeconds(2), progress, scenario.name());
      schedule.await();
      streams = run.streamLogs();
      batch = run.batchLog();
      rotation.add(awaitPool(initial));
      List<SessionAudit> audits = audit(streams, batch, workload);
      Observations o = new Observations(scenario, started, bounds, expected, streams, batch, audits,
          List.copyOf(injections), List.copyOf(notInjected), rotation.get(0), NodeLogs.since(logFiles, marks));
      Map<String, String> settings = settings(seed, workload, scenario);
      settings.put("preemptions", Preemptions.of(audits).describe(started));
      settings.put("fleet at start", summary(initial) + " (baseline " + baselineActive + " active); reset: " + prepared);
      ChaosReport report = ReportBuilder.build(o, seed, settings, watch.records(
          rotation.get(0).finalGpus()), NUMBER_OF_SHARDS);
      progress.accept("scenario " + scenario.name() + ": " + (report.passed() ? "PASS" : "FAIL") + " in "
          + report.duration().toSeconds() + " s; " + report.invariants().stream()
          .map(r -> r.number() + (r.passed() ? ":ok" : ":FAILED")).collect(Collectors.joining(" ")));
      return report;
    }
  }

  /** Waits (bounded) for the active pool to be as large as at the start, or for the spares to run out. */
  private Observations.Rotation awaitPool(List<Fleet.Gpu> initial) {
    int active0 = (int) initial.stream().filter(g -> g.state().equals("active")).count();
    int spare0 = (int) initial.stream().filter(g -> g.state().equals("spare")).count();
    long t0 = System.nanoTime();
    List<List<Fleet.Gpu>> last = new ArrayList<>(List.of(List.of()));
    boolean refilled = Poll.until(POOL_TIMEOUT, Duration.ofMillis(500), () -> {
      List<Fleet.Gpu> gpus = fleet.gpus();
      last.set(0, gpus);
      Set<String> down = cluster.nodes().stream().filter(n -> !n.isAlive()).map(NodeProcess::nodeId)
          .collect(Collectors.toSet());
      long active = gpus.stream().filter(g -> g.state().equals("active") && !down.contains(g.node())).count();
      long spare = gpus.stream().filter(g -> g.state().equals("spare")).count();
      // "unknown": a GpuWorker entity that did not answer (its shard is moving) is no verdict yet.
      boolean known = gpus.stream().noneMatch(g -> g.state().equals("unknown"));
      return !gpus.isEmpty() && known && (active >= active0 || spare == 0);
    });
    List<String> down = cluster.nodes().stream().filter(n -> !n.isAlive()).map(NodeProcess::nodeId).toList();
    return new Observations.Rotation(active0, spare0, last.get(0), refilled, (System.nanoTime() - t0) / 1_000_000,
        down);
  }

  /** Every accepted session, read back once all are terminal (or the wait for that ran out). */
  private List<SessionAudit> audit(List<StreamLog> streams, BatchClient.BatchLog batch, Workload workload) {
    Map<String, String> keys = new LinkedHashMap<>();
    streams.stream().filter(StreamLog::accepted)
        .forEach(s -> keys.put(s.sessionId(), References.completionKey(s.index())));
    if (batch != null && batch.created()) {
      workload.batch().forEach(l -> keys.put(batch.batchId() + "-req-" + l.line(), References.batchKey(l.line())));
    }
    List<SessionAudit> audits = new ArrayList<>();
    // The clients already waited for their sessions; this only gives stragglers (batch lines) a moment.
    Poll.until(AUDIT_WAIT, Duration.ofSeconds(1), () -> {
      audits.clear();
      keys.forEach((id, key) -> audits.add(SessionAudit.read(fleet, id, key)));
      long open = audits.stream().filter(a -> !SessionAudit.TERMINAL_STATUSES.contains(a.status())).count();
      if (open > 0) {
        progress.accept("waiting for " + open + " sessions to end");
      }
      return open == 0;
    });
    return List.copyOf(audits);
  }

  private static String summary(List<Fleet.Gpu> gpus) {
    return gpus.stream().collect(Collectors.groupingBy(Fleet.Gpu::state, java.util.TreeMap::new, Collectors.counting()))
        .entrySet().stream().map(e -> e.getValue() + " " + e.getKey()).collect(Collectors.joining(", "));
  }

  /** Sessions the active pool runs at once: what a batch must fill for the queue to preempt. */
  private int places() {
    return baselineActive * BatonConfig.load(ConfigFactory.parseMap(cluster.options().nodeConfig()))
        .getInt("baton.workers.agent.sessions-per-gpu");
  }

  private Map<String, String> settings(long seed, Workload workload, Scenario scenario) {
    Map<String, String> s = new LinkedHashMap<>();
    s.put("seed", Long.toString(seed));
    s.put("nodes", cluster.options().nodes() + " x " + cluster.options().gpusPerNode() + " GPUs, "
        + cluster.options().spares() + " spares");
    String drops = " (every " + options.dropEvery() + "th drops and resumes)";
    s.put("workload", scenario.shape().map(shape -> workload.completions().size() + " streams in bursts of "
        + shape.burstSize() + " at " + shape.bursts().stream().map(f -> Math.round(f * 100) + "%")
        .collect(Collectors.joining(", ")) + " of the duration" + drops + ", over a batch of " + workload.batch().size()
        + " lines of " + shape.minTokens() + "-" + shape.maxTokens() + " tokens (" + places() + " places)")
        .orElseGet(() -> workload.completions().size() + " streams over " + options.duration().dividedBy(2).toSeconds()
        + " s" + drops + ", batch of " + workload.batch().size()));
    s.putAll(bounds.describe());
    cluster.options().nodeConfig().forEach(s::put);
    return s;
  }
}
