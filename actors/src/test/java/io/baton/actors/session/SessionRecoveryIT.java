package io.baton.actors.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.baton.actors.ActorsSettings;
import io.baton.actors.session.SessionCommand.AppendTokens;
import io.baton.actors.session.SessionCommand.Place;
import io.baton.actors.session.SessionCommand.Reply;
import io.baton.actors.session.SessionCommand.Submit;
import io.baton.persistence.testing.CassandraTestExtension;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Sessions against the real Cassandra: what one actor system persisted, a brand-new actor system
 * recovers to an identical state, with and without snapshots, also for 10,000 token events.
 */
@ExtendWith(CassandraTestExtension.class)
class SessionRecoveryIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  @Test
  void newActorSystemReplaysToIdenticalStateWithoutSnapshots() {
    String id = "it-replay-" + UUID.randomUUID();
    SessionState before = runAndStop(config(1000), id, session -> drive(session, 3, 7));
    assertEquals(21, before.tokenCount());
    assertEquals(0, snapshotCount(id), "no snapshot expected below the snapshot interval");
    assertEquals(before, recover(config(1000), id));
  }

  @Test
  void newActorSystemRecoversIdenticalStateFromSnapshot() {
    String id = "it-snapshot-" + UUID.randomUUID();
    SessionState before = runAndStop(config(5), id, session -> drive(session, 12, 4));
    assertTrue(snapshotCount(id) > 0, "a snapshot must exist after 14 events with snapshot-every = 5");
    assertEquals(before, recover(config(5), id));
  }

  @Test
  void tenThousandTokenEventsRecover() {
    String id = "it-10k-" + UUID.randomUUID();
    SessionState before = runAndStop(config(100), id, session -> drive(session, 10_000, 1));
    assertEquals(IntStream.range(0, 10_000).boxed().toList(), before.tokens());
    assertTrue(snapshotCount(id) > 0, "10,002 events with snapshot-every = 100 leave snapshots");
    assertEquals(before, recover(config(100), id));
  }

  private static Config config(int snapshotEvery) {
    return ConfigFactory.parseString("baton.actors.snapshot-every = " + snapshotEvery)
        .withFallback(CassandraTestExtension.config())
        .resolve();
  }

  /** Submits, places, appends {@code chunks} chunks of {@code chunkSize} tokens, returns the state. */
  private static SessionState drive(Harness h, int chunks, int chunkSize) {
    int maxTokens = chunks * chunkSize;
    SessionSpec spec = new SessionSpec("baton-small", List.of(1, 2, 3), new SessionSpec.Sampling(0, 1, 42),
        maxTokens, "tenant-a", 0, null);
    assertInstanceOf(SessionCommand.Accepted.class, h.ask(r -> new Submit(spec, r)));
    assertInstanceOf(SessionCommand.Accepted.class, h.ask(r -> new Place(1, "gpu-0", ResumeMethod.FRESH, r)));
    // Pipelined with a bounded window: the persistence stash holds 4096 commands at most.
    List<CompletableFuture<Reply>> window = new ArrayList<>();
    for (int c = 0; c < chunks; c++) {
      int from = c * chunkSize;
      List<Integer> tokens = IntStream.range(from, from + chunkSize).boxed().toList();
      window.add(h.askAsync(r -> new AppendTokens(1, from, tokens, r)).toCompletableFuture());
      if (window.size() == 256 || c == chunks - 1) {
        window.forEach(f -> assertInstanceOf(SessionCommand.Accepted.class, f.join()));
        window.clear();
      }
    }
    return h.state();
  }

  private static SessionState runAndStop(Config config, String id, Function<Harness, SessionState> script) {
    ActorTestKit kit = ActorTestKit.create("write-" + Math.abs(id.hashCode()), config);
    try {
      return script.apply(new Harness(kit, id, config));
    } finally {
      kit.shutdownTestKit();
    }
  }

  private static SessionState recover(Config config, String id) {
    ActorTestKit kit = ActorTestKit.create("read-" + Math.abs(id.hashCode()), config);
    try {
      return new Harness(kit, id, config).state();
    } finally {
      kit.shutdownTestKit();
    }
  }

  private static long snapshotCount(String id) {
    try (CqlSession cql = CqlSession.builder()
        .addContactPoint(new InetSocketAddress("127.0.0.1", CassandraTestExtension.cassandra().nativePort()))
        .withLocalDatacenter("datacenter1")
        .build()) {
      return cql.execute("SELECT sequence_nr FROM baton_snapshot.snapshots WHERE persistence_id = ?",
          "Session|" + id).all().size();
    }
  }

  /** A session actor in a given actor system, asked synchronously. */
  private record Harness(ActorTestKit kit, ActorRef<SessionCommand> session) {
    Harness(ActorTestKit kit, String id, Config config) {
      this(kit, kit.spawn(Session.create(id, ActorsSettings.fromConfig(config))));
    }

    Reply ask(Function<ActorRef<Reply>, SessionCommand> command) {
      return askAsync(command).toCompletableFuture().join();
    }

    CompletionStage<Reply> askAsync(Function<ActorRef<Reply>, SessionCommand> command) {
      return AskPattern.ask(session, command::apply, TIMEOUT, kit.scheduler());
    }

    SessionState state() {
      return AskPattern.<SessionCommand, SessionState>ask(
              session, SessionCommand.GetState::new, TIMEOUT, kit.scheduler())
          .toCompletableFuture()
          .join();
    }
  }
}
