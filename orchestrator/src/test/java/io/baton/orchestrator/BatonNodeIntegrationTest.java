package io.baton.orchestrator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
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
import java.util.Map;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A whole node against the real Cassandra, started twice as ./baton up would be: what the first
 * incarnation recorded, the second finds again.
 */
@ExtendWith(CassandraTestExtension.class)
class BatonNodeIntegrationTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  @Test
  void secondStartRecoversTheFleetFromTheJournal() throws Exception {
    String cordoned = FleetBootstrap.workerId("sim-host-1", 0);
    try (BatonNode first = BatonNode.start(nodeConfig())) {
      assertEquals(200, get(first.httpAddress() + "/health/ready").statusCode());
      assertEquals(200, get(first.httpAddress() + "/health/alive").statusCode());
      assertEquals(GpuStatus.ACTIVE, state(first, FleetBootstrap.workerId("sim-host-0", 0)).status());
      assertEquals(GpuStatus.SPARE, state(first, FleetBootstrap.workerId("sim-host-1", 1)).status());
      GpuWorkerCommand.Reply reply = worker(first, cordoned)
          .<GpuWorkerCommand.Reply>ask(r -> new GpuWorkerCommand.Cordon("alice", "fan noise", r), TIMEOUT)
          .toCompletableFuture().get();
      assertInstanceOf(GpuWorkerCommand.Accepted.class, reply);
    }
    try (BatonNode second = BatonNode.start(nodeConfig())) {
      GpuWorkerState recovered = state(second, cordoned);
      assertEquals(GpuStatus.CORDONED, recovered.status());
      assertEquals("fan noise", recovered.lastChange().reason());
      assertEquals(GpuStatus.ACTIVE, state(second, FleetBootstrap.workerId("sim-host-0", 1)).status());
    }
  }

  private static Config nodeConfig() {
    return BatonNode.loadConfig(ConfigFactory.parseMap(Map.of(
            "baton.http.port", 0,
            "baton.orchestrator.cluster.port", 0,
            "baton.persistence.contact-points", java.util.List.of(CassandraTestExtension.cassandra().contactPoint()))));
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
