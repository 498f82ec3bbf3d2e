package io.baton.bench;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.typesafe.config.Config;
import io.baton.actors.ActorsSettings;
import io.baton.actors.session.ResumeMethod;
import io.baton.actors.session.Session;
import io.baton.actors.session.SessionCommand;
import io.baton.actors.session.SessionEvent;
import io.baton.actors.session.SessionSpec;
import io.baton.actors.session.SessionState;
import io.baton.persistence.Schema;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.stream.IntStream;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.serialization.SerializationExtension;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Token-chunk events per second through Session entities, against raw driver inserts of the same
 * bytes at the same concurrency, in one run on one Cassandra; then recovery time of a long session.
 * Each concurrent session (or raw lane) keeps one write in flight, as a worker waiting for its ack.
 */
@Command(name = "journal", mixinStandardHelpOptions = true,
    description = "Session journal throughput vs raw Cassandra inserts, and recovery time.")
final class JournalBench implements Callable<Integer> {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  @Option(names = "--levels", split = ",", defaultValue = "1,100,1000", description = "Concurrent sessions.")
  List<Integer> levels;

  @Option(names = "--events", defaultValue = "20000", description = "Events per level (at least 10 per session).")
  int events;

  @Option(names = "--chunk-tokens", defaultValue = "8", description = "Tokens per chunk event.")
  int chunkTokens;

  @Option(names = "--recovery-events", defaultValue = "10000", description = "Events in the recovered session.")
  int recoveryEvents;

  @Option(names = "--rounds", defaultValue = "3", description = "Session/raw rounds per level (median shown).")
  int rounds;

  @Option(names = "--snapshot-every", defaultValue = "100", description = "Snapshot interval of the sessions.")
  int snapshotEvery;

  @Option(names = "--config", description = "Extra HOCON lines (key = value) for the run.")
  List<String> extraConfig = new ArrayList<>();

  @Option(names = "--repeats", defaultValue = "5", description = "Recoveries measured (median reported).")
  int repeats;

  private long cassandraPid;

  @Override
  public Integer call() throws Exception {
    try (BenchCassandra cassandra = new BenchCassandra()) {
      Config config = cassandra.config("baton.actors.snapshot-every = " + snapshotEvery + "\n" + String.join("\n", extraConfig));
      ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "bench", config);
      Schema.create(system).toCompletableFuture().get(2, TimeUnit.MINUTES);
      CqlSession cql = Schema.session(system).underlying().toCompletableFuture().get();
      RawInserts raw = new RawInserts(cql);
      ActorsSettings settings = ActorsSettings.fromConfig(config);
      byte[] payload = SerializationExtension.get(system).serialize(chunk(0)).get();

      cassandraPid = cassandra.cassandra.pid();
      System.out.println("| concurrent sessions | Session events/s | raw inserts/s | ratio (median) | ratio range"
          + " | tokens/s | CPU µs/event, Baton + Cassandra (Session) | CPU µs/event, client + Cassandra (raw) |");
      System.out.println("|---:|---:|---:|---:|---:|---:|---:|---:|");
      throughput(system, settings, raw, payload, 100, 200, 1, false); // JIT and connection warm-up
      for (int level : levels) {
        throughput(system, settings, raw, payload, level, Math.max(10, events / level), rounds, true);
      }

      String withSnapshots = writeLongSession(system, settings, "snap");
      String withoutSnapshots = writeLongSession(system, settings.withSnapshotEvery(1_000_000), "nosnap");
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(1, TimeUnit.MINUTES);

      ActorSystem<Void> fresh = ActorSystem.create(Behaviors.empty(), "recovery", config);
      recoverMillis(fresh, settings, "warmup-" + withSnapshots); // plugin start-up is not recovery
      System.out.println();
      System.out.println("| recovery of a " + recoveryEvents + "-event session | median ms | min ms |");
      System.out.println("|---|---:|---:|");
      reportRecovery(fresh, settings, withSnapshots, "with snapshots (every 100 events)");
      reportRecovery(fresh, settings, withoutSnapshots, "without snapshots");
      fresh.terminate();
      fresh.getWhenTerminated().toCompletableFuture().get(1, TimeUnit.MINUTES);
    }
    return 0;
  }

  /**
   * Alternates Session and raw phases {@code rounds} times and prints the round with the median
   * ratio: on a shared 2-core VM the speed of the box drifts, and both phases of a round see
   * nearly the same box.
   */
  private void throughput(ActorSystem<Void> system, ActorsSettings settings, RawInserts raw, byte[] payload,
      int sessions, int perSession, int rounds, boolean print) throws Exception {
    List<Round> results = new ArrayList<>();
    for (int r = 0; r < rounds; r++) {
      results.add(round(system, settings, raw, payload, sessions, perSession));
    }
    results.sort(java.util.Comparator.comparingDouble(Round::ratio));
    Round median = results.get(results.size() / 2);
    if (print) {
      System.out.printf("| %d | %.0f | %.0f | **%.2f** | %.2f-%.2f | %.0f | %s | %s |%n", sessions,
          median.sessionRate(), median.rawRate(), median.ratio(), results.get(0).ratio(),
          results.get(results.size() - 1).ratio(), median.sessionRate() * chunkTokens, median.sessionCpu(),
          median.rawCpu());
    }
  }

  private record Round(double sessionRate, double rawRate, String sessionCpu, String rawCpu) {
    double ratio() {
      return sessionRate / rawRate;
    }
  }

  private Round round(ActorSystem<Void> system, ActorsSettings settings, RawInserts raw, byte[] payload,
      int sessions, int perSession) throws Exception {
    String run = "s" + sessions + "-" + System.nanoTime();
    List<ActorRef<SessionCommand>> refs = new ArrayList<>();
    for (int i = 0; i < sessions; i++) {
      refs.add(startSession(system, settings, run + "-" + i, perSession * chunkTokens));
    }
    long events = (long) sessions * perSession;
    CpuMeter sessionCpu = new CpuMeter(cassandraPid);
    long t0 = System.nanoTime();
    List<CompletableFuture<Void>> writers = new ArrayList<>();
    for (ActorRef<SessionCommand> ref : refs) {
      CompletableFuture<Void> done = new CompletableFuture<>();
      system.systemActorOf(ChunkWriter.create(ref, perSession, chunkTokens, this::tokens, done),
          "writer-" + System.nanoTime(), Props.empty());
      writers.add(done);
    }
    CompletableFuture.allOf(writers.toArray(CompletableFuture[]::new)).get(10, TimeUnit.MINUTES);
    double sessionRate = events / seconds(t0);
    String sessionCost = sessionCpu.perEvent(events);
    CpuMeter rawCpu = new CpuMeter(cassandraPid);
    long t1 = System.nanoTime();
    CompletableFuture.allOf(IntStream.range(0, sessions)
        .mapToObj(i -> lane(perSession, c -> raw.insert(run + "-" + i, c, payload)))
        .toArray(CompletableFuture[]::new)).get(10, TimeUnit.MINUTES);
    return new Round(sessionRate, events / seconds(t1), sessionCost, rawCpu.perEvent(events));
  }

  /** Runs {@code count} writes one after another, each starting when the previous one is acked. */
  private static CompletableFuture<Void> lane(int count, IntFunction<CompletableFuture<?>> write) {
    CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
    for (int c = 0; c < count; c++) {
      int n = c;
      chain = chain.thenCompose(v -> write.apply(n).thenApply(x -> null));
    }
    return chain;
  }

  private ActorRef<SessionCommand> startSession(ActorSystem<Void> system, ActorsSettings settings, String id,
      int maxTokens) {
    ActorRef<SessionCommand> ref = system.systemActorOf(Session.create(id, settings), id, Props.empty());
    SessionSpec spec = new SessionSpec("baton-small", List.of(1, 2, 3), new SessionSpec.Sampling(0, 1, 7),
        maxTokens, "bench", 0, null);
    expectAccepted(ask(system, ref, r -> new SessionCommand.Submit(spec, r)).join());
    expectAccepted(ask(system, ref, r -> new SessionCommand.Place(1, "gpu-0", ResumeMethod.FRESH, r)).join());
    return ref;
  }

  private String writeLongSession(ActorSystem<Void> system, ActorsSettings settings, String kind) throws Exception {
    String id = "recovery-" + kind + "-" + System.nanoTime();
    ActorRef<SessionCommand> ref = startSession(system, settings, id, recoveryEvents);
    System.err.println("bench: writing " + recoveryEvents + " events for " + id + " ...");
    lane(recoveryEvents, c -> ask(system, ref, r -> new SessionCommand.AppendTokens(1, c, List.of(c), r)))
        .get(10, TimeUnit.MINUTES);
    return id;
  }

  private void reportRecovery(ActorSystem<Void> system, ActorsSettings settings, String id, String label) {
    List<Double> millis = new ArrayList<>();
    for (int i = 0; i < repeats; i++) {
      millis.add(recoverMillis(system, settings, id));
    }
    millis.sort(Double::compare);
    System.out.printf("| %s | %.0f | %.0f |%n", label, millis.get(millis.size() / 2), millis.get(0));
  }

  /**
   * Time from starting a new incarnation of the entity until it answers, i.e. replay included. The
   * incarnations only read, so earlier ones may stay alive beside it.
   */
  private double recoverMillis(ActorSystem<Void> system, ActorsSettings settings, String id) {
    long t0 = System.nanoTime();
    ActorRef<SessionCommand> ref =
        system.systemActorOf(Session.create(id, settings), "r-" + System.nanoTime(), Props.empty());
    SessionState state = AskPattern.ask(ref, SessionCommand.GetState::new, TIMEOUT, system.scheduler())
        .toCompletableFuture().join();
    double ms = (System.nanoTime() - t0) / 1e6;
    if (!id.startsWith("warmup-") && state.tokenCount() != recoveryEvents) {
      throw new IllegalStateException("recovered " + state.tokenCount() + " tokens, expected " + recoveryEvents);
    }
    return ms;
  }

  private static CompletableFuture<SessionCommand.Reply> ask(ActorSystem<Void> system, ActorRef<SessionCommand> ref,
      java.util.function.Function<ActorRef<SessionCommand.Reply>, SessionCommand> command) {
    return AskPattern.ask(ref, command::apply, TIMEOUT, system.scheduler()).toCompletableFuture()
        .thenApply(JournalBench::expectAccepted);
  }

  private static SessionCommand.Reply expectAccepted(SessionCommand.Reply reply) {
    if (reply instanceof SessionCommand.Rejected r) {
      throw new IllegalStateException("bench command rejected: " + r.rejection());
    }
    return reply;
  }

  private SessionEvent.TokensAppended chunk(int from) {
    return new SessionEvent.TokensAppended(1, from, tokens(from), Instant.now());
  }

  private List<Integer> tokens(int from) {
    return IntStream.range(from, from + chunkTokens).map(t -> 1000 + t % 30000).boxed().toList();
  }

  private static double seconds(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }

  /** The baseline: the same bytes into a plain table, one row per chunk. */
  private static final class RawInserts {
    private final CqlSession cql;
    private final PreparedStatement insert;

    RawInserts(CqlSession cql) {
      this.cql = cql;
      cql.execute("CREATE KEYSPACE IF NOT EXISTS baton_bench WITH replication = "
          + "{'class': 'SimpleStrategy', 'replication_factor': 1}");
      cql.execute("CREATE TABLE IF NOT EXISTS baton_bench.raw_chunks "
          + "(session text, idx int, payload blob, PRIMARY KEY (session, idx))");
      insert = cql.prepare("INSERT INTO baton_bench.raw_chunks (session, idx, payload) VALUES (?, ?, ?)");
    }

    CompletableFuture<?> insert(String session, int idx, byte[] payload) {
      return cql.executeAsync(insert.bind(session, idx, ByteBuffer.wrap(payload))).toCompletableFuture();
    }
  }
}
