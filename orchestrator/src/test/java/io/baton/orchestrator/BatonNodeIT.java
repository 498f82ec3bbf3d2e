package io.baton.orchestrator;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.baton.actors.session.FailureCause;
import io.baton.actors.session.ResumeMethod;
import io.baton.actors.session.Session;
import io.baton.actors.session.SessionCommand;
import io.baton.actors.session.SessionSpec;
import io.baton.actors.session.SessionState;
import io.baton.actors.session.SessionStatus;
import io.baton.actors.worker.GpuStatus;
import io.baton.actors.worker.GpuWorker;
import io.baton.actors.worker.GpuWorkerCommand;
import io.baton.actors.worker.GpuWorkerState;
import io.baton.persistence.testing.CassandraTestExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingQuery;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.ShardRegion.CurrentShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A whole node against the real Cassandra, started twice as ./baton up would be: what the first
 * incarnation recorded, the second finds again, and sessions that were running are restarted.
 */
@ExtendWith(CassandraTestExtension.class)
class BatonNodeIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final String STATE_DIR = "target/node-state-" + UUID.randomUUID();

  @Test
  void secondStartRecoversFleetAndRunningSessions() throws Exception {
    String cordoned = FleetBootstrap.workerId(FleetBootstrap.hostId("node-1", 1), 0);
    String running = "chatcmpl-it-running-" + UUID.randomUUID();
    String finished = "chatcmpl-it-finished-" + UUID.randomUUID();
    try (BatonNode first = BatonNode.start(nodeConfig())) {
      assertEquals(200, get(first.httpAddress() + "/health/ready").statusCode());
      assertEquals(200, get(first.httpAddress() + "/health/alive").statusCode());
      assertEquals(GpuStatus.ACTIVE, state(first, FleetBootstrap.workerId(FleetBootstrap.hostId("node-1", 0), 0)).status());
      assertEquals(GpuStatus.SPARE, state(first, FleetBootstrap.workerId(FleetBootstrap.hostId("node-1", 1), 1)).status());
      GpuWorkerCommand.Reply reply = worker(first, cordoned)
          .<GpuWorkerCommand.Reply>ask(r -> new GpuWorkerCommand.Cordon("alice", "fan noise", r), TIMEOUT)
          .toCompletableFuture().get();
      assertInstanceOf(GpuWorkerCommand.Accepted.class, reply);
      startSession(first, running, false);
      startSession(first, finished, true);
      // An ended session passivates itself and so leaves the remembered set.
      await().atMost(TIMEOUT).until(() -> !liveSessions(first).contains(finished));
    }
    try (BatonNode second = BatonNode.start(nodeConfig())) {
      // Remember-entities: the running session is back without anyone sending it a message.
      await().atMost(TIMEOUT).until(() -> liveSessions(second).contains(running));
      assertFalse(liveSessions(second).contains(finished), "an ended session is not restarted");
      GpuWorkerState recovered = state(second, cordoned);
      assertEquals(GpuStatus.CORDONED, recovered.status());
      assertEquals("fan noise", recovered.lastChange().reason());
      assertEquals(GpuStatus.ACTIVE, state(second, FleetBootstrap.workerId(FleetBootstrap.hostId("node-1", 0), 1)).status());
      // It comes back generating, on a GPU that does not run it (it was placed by hand): the node's
      // loss watch fails that attempt within a report interval, and the session waits for a GPU of
      // its model with its tokens kept.
      await().atMost(TIMEOUT).until(() -> sessionState(second, running).status() == SessionStatus.PENDING);
      SessionState session = sessionState(second, running);
      assertEquals(List.of(7, 8, 9), session.tokens());
      assertEquals(1, session.attempts().size());
      assertEquals(FailureCause.Kind.NODE_UNREACHABLE, session.currentAttempt().failure().kind());
      String gpu = FleetBootstrap.workerId(FleetBootstrap.hostId("node-1", 0), 0);
      assertTrue(session.currentAttempt().failure().detail().startsWith(gpu),
          "the failure names the GPU that does not run it: " + session.currentAttempt().failure().detail());
    }
  }

  private static SessionState sessionState(BatonNode node, String id) throws Exception {
    return sessions(node, id).<SessionState>ask(SessionCommand.GetState::new, TIMEOUT).toCompletableFuture().get();
  }

  private static void startSession(BatonNode node, String id, boolean finish) throws Exception {
    EntityRef<SessionCommand> session = sessions(node, id);
    // A model no GPU of this node serves, so the placer leaves the session to the hand placement below.
    SessionSpec spec = new SessionSpec("baton-medium", List.of(1, 2), new SessionSpec.Sampling(0, 1, 3), 16, "t", 0, null);
    List<Function<ActorRef<SessionCommand.Reply>, SessionCommand>> steps = new ArrayList<>(List.of(
        r -> new SessionCommand.Submit(spec, r),
        r -> new SessionCommand.Place(1, FleetBootstrap.workerId(FleetBootstrap.hostId("node-1", 0), 0), ResumeMethod.FRESH, r),
        r -> new SessionCommand.AppendTokens(1, 0, List.of(7, 8, 9), r)));
    if (finish) {
      steps.add(r -> new SessionCommand.Complete(1, "stop", r));
    }
    for (Function<ActorRef<SessionCommand.Reply>, SessionCommand> step : steps) {
      assertInstanceOf(SessionCommand.Accepted.class,
          session.<SessionCommand.Reply>ask(step::apply, TIMEOUT).toCompletableFuture().get());
    }
  }

  private static EntityRef<SessionCommand> sessions(BatonNode node, String id) {
    return ClusterSharding.get(node.system()).entityRefFor(Session.ENTITY_KEY, id);
  }

  /** The session ids alive in this node's shard region, as sharding itself reports them. */
  private static Set<String> liveSessions(BatonNode node) throws Exception {
    ClusterSharding sharding = ClusterSharding.get(node.system());
    CurrentShardRegionState state = AskPattern.<ClusterShardingQuery, CurrentShardRegionState>ask(
            sharding.shardState(), r -> new GetShardRegionState(Session.ENTITY_KEY, r), TIMEOUT,
            node.system().scheduler())
        .toCompletableFuture().get();
    Set<String> ids = new HashSet<>();
    state.getShards().forEach(shard -> ids.addAll(shard.getEntityIds()));
    return ids;
  }

  private static Config nodeConfig() {
    return BatonNode.loadConfig(ConfigFactory.parseMap(Map.of(
            "baton.http.port", 0,
            // Nothing generates for these hand-placed sessions; they must stay as the test left them.
            "baton.actors.session.lease", "10m",
            "baton.orchestrator.cluster.port", 0,
            // The same folder for both incarnations: what sharding remembered is found again.
            "baton.orchestrator.state-dir", STATE_DIR,
            "baton.persistence.contact-points", List.of(CassandraTestExtension.cassandra().contactPoint()))));
  }

  private static EntityRef<GpuWorkerCommand> worker(BatonNode node, String id) {
    return ClusterSharding.get(node.system()).entityRefFor(GpuWorker.ENTITY_KEY, id);
  }

  private static GpuWorkerState state(BatonNode node, String id) throws Exception {
    return worker(node, id).<GpuWorkerState>ask(GpuWorkerCommand.GetState::new, TIMEOUT).toCompletableFuture().get();
  }

  private static HttpResponse<String> get(String url) throws Exception {
    return HttpClient.newHttpClient()
        .send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }
}
