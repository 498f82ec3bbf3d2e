package io.baton.orchestrator.fleet;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.baton.actors.session.Session;
import io.baton.actors.session.SessionCommand;
import io.baton.actors.session.SessionSpec;
import io.baton.actors.session.SessionState;
import io.baton.actors.session.SessionStatus;
import io.baton.actors.worker.GpuWorker;
import io.baton.actors.worker.GpuWorkerCommand;
import io.baton.actors.worker.GpuWorkerState;
import io.baton.orchestrator.BatonNode;
import io.baton.orchestrator.FleetBootstrap;
import io.baton.orchestrator.TestNodes;
import io.baton.workers.agent.AgentCommand;
import io.baton.workers.agent.AgentStatus;
import io.baton.workers.engine.Fault;
import io.baton.workers.engine.Generation;
import io.baton.workers.engine.GenerationRequest;
import io.baton.workers.engine.ModelSpec;
import io.baton.workers.engine.ReferenceEngine;
import io.baton.workers.engine.SamplingParams;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/**
 * A whole node (placer, agent with four simulated GPUs on two hosts, fleet controller) on the real
 * Cassandra, under a node id of its own so each test starts with a fresh fleet. Decoding is slowed
 * to a few milliseconds a token so that faults land mid-stream.
 */
final class FleetFixture implements AutoCloseable {
  static final Duration TIMEOUT = Duration.ofSeconds(60);
  static final String MODEL = "baton-small";

  final BatonNode node;
  final String nodeId;

  private FleetFixture(BatonNode node, String nodeId) {
    this.node = node;
    this.nodeId = nodeId;
  }

  static FleetFixture start(String name) throws Exception {
    return start(name, Map.of());
  }

  static FleetFixture start(String name, Map<String, Object> overrides) throws Exception {
    return startAs(TestNodes.nodeId(name), overrides);
  }

  /** As {@link #start}, under a node id the test chose, for configuration that names the node's GPUs. */
  static FleetFixture startAs(String nodeId, Map<String, Object> overrides) throws Exception {
    Map<String, Object> config = new HashMap<>(Map.of(
        "baton.workers.engine.timing.decode-per-token", "4ms",
        "baton.workers.engine.timing.prefill-per-token", "20us",
        "baton.actors.session.lease", "3s",
        "baton.actors.session.grant-window", "2500ms"));
    config.putAll(overrides);
    return new FleetFixture(TestNodes.start(nodeId, config), nodeId);
  }

  /** The id of GPU {@code gpu} on simulated host {@code host}: host 0 holds gpu 0 and 1, host 1 gpu 0 and the spare. */
  String gpu(int host, int gpu) {
    return FleetBootstrap.workerId(FleetBootstrap.hostId(nodeId, host), gpu);
  }

  static SessionSpec spec(List<Integer> prompt, int maxTokens, long seed) {
    return new SessionSpec(MODEL, prompt, new SessionSpec.Sampling(0.8, 0.95, seed), maxTokens, "tenant-a", 0, null);
  }

  static List<Integer> prompt(int length, int salt) {
    List<Integer> p = new ArrayList<>(length);
    for (int i = 0; i < length; i++) {
      p.add((i * 31 + salt * 7 + 5) % 200);
    }
    return p;
  }

  /** The fault-free reference: the same request run straight on a fresh engine. */
  List<Integer> reference(SessionSpec spec) {
    ModelSpec model = node.services().workers().engine().model(MODEL).orElseThrow();
    Generation g = ReferenceEngine.of(model, 0).start(GenerationRequest.fresh(spec.promptTokens(),
        SamplingParams.of(spec.sampling())));
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < spec.maxTokens(); i++) {
      out.add(g.next());
    }
    return out;
  }

  String submit(SessionSpec spec) throws Exception {
    String id = "cmpl-" + UUID.randomUUID();
    assertInstanceOf(SessionCommand.Accepted.class, session(id)
        .<SessionCommand.Reply>ask(r -> new SessionCommand.Submit(spec, r), TIMEOUT).toCompletableFuture().get());
    return id;
  }

  EntityRef<SessionCommand> session(String id) {
    return ClusterSharding.get(node.system()).entityRefFor(Session.ENTITY_KEY, id);
  }

  SessionState state(String id) throws Exception {
    return session(id).<SessionState>ask(SessionCommand.GetState::new, TIMEOUT).toCompletableFuture().get();
  }

  SessionState awaitSession(String id, Predicate<SessionState> condition) {
    SessionState[] last = new SessionState[1];
    await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(20)).until(() -> {
      last[0] = state(id);
      return condition.test(last[0]);
    });
    return last[0];
  }

  /** Waits for the session to end; it must have completed with exactly the fault-free run's tokens. */
  SessionState awaitCompletedExactly(String id, SessionSpec spec) {
    SessionState done = awaitSession(id, s -> s.status().isTerminal());
    assertEquals(SessionStatus.COMPLETED, done.status(), done::terminalReason);
    assertEquals(reference(spec), done.tokens(), "the stream equals the fault-free run, token for token");
    return done;
  }

  GpuWorkerState gpuState(String gpuId) throws Exception {
    return ClusterSharding.get(node.system()).entityRefFor(GpuWorker.ENTITY_KEY, gpuId)
        .<GpuWorkerState>ask(GpuWorkerCommand.GetState::new, TIMEOUT).toCompletableFuture().get();
  }

  AgentStatus agentStatus() throws Exception {
    return node.services().status(node.system()).toCompletableFuture().get();
  }

  void inject(String gpuId, Fault fault) {
    node.services().agent().tell(new AgentCommand.InjectFault(gpuId, fault));
  }

  @Override
  public void close() {
    node.close();
  }
}
