package io.baton.bench;

import com.typesafe.config.ConfigFactory;
import io.baton.actors.session.Session;
import io.baton.actors.session.SessionCommand;
import io.baton.actors.session.SessionSpec;
import io.baton.actors.session.SessionState;
import io.baton.orchestrator.BatonNode;
import io.baton.workers.agent.AgentStatus;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/**
 * A whole Baton node (placer, worker agent with the dev fleet of four simulated GPUs, three active
 * and one spare, fleet controller) on the bench's Cassandra, as `./baton up` runs it. Each node gets
 * a node id of its own, so its GPUs are a fresh fleet even when an earlier node used the keyspace.
 */
final class BenchNode implements AutoCloseable {
  static final Duration TIMEOUT = Duration.ofSeconds(30);
  static final String MODEL = "baton-small";

  final BatonNode node;
  final String nodeId;

  private BenchNode(BatonNode node, String nodeId) {
    this.node = node;
    this.nodeId = nodeId;
  }

  static BenchNode start(BenchCassandra cassandra, String name, Map<String, Object> overrides) throws Exception {
    String nodeId = name + "-" + UUID.randomUUID().toString().substring(0, 8);
    Map<String, Object> config = new HashMap<>(Map.of(
        "baton.http.port", 0,
        "baton.management.port", 0,
        "baton.orchestrator.cluster.port", 0,
        "baton.orchestrator.node-id", nodeId,
        "baton.orchestrator.state-dir", "bench/target/node-state",
        "baton.persistence.contact-points", List.of(cassandra.cassandra.contactPoint())));
    config.putAll(overrides);
    System.err.println("bench: starting node " + nodeId + " " + overrides);
    return new BenchNode(BatonNode.start(BatonNode.loadConfig(ConfigFactory.parseMap(config))), nodeId);
  }

  /** A prompt that differs per salt from the first token on, so no two sessions share KV blocks. */
  static SessionSpec spec(int promptTokens, int maxTokens, int salt) {
    java.util.Random random = new java.util.Random(salt);
    List<Integer> prompt = new ArrayList<>(promptTokens);
    for (int i = 0; i < promptTokens; i++) {
      prompt.add(random.nextInt(200));
    }
    return new SessionSpec(MODEL, prompt, new SessionSpec.Sampling(0.8, 0.95, 1000 + salt), maxTokens, "bench", 0,
        null);
  }

  EntityRef<SessionCommand> session(String id) {
    return ClusterSharding.get(node.system()).entityRefFor(Session.ENTITY_KEY, id);
  }

  CompletableFuture<SessionCommand.Reply> submit(String id, SessionSpec spec) {
    return session(id).<SessionCommand.Reply>ask(r -> new SessionCommand.Submit(spec, r), TIMEOUT)
        .toCompletableFuture()
        .thenApply(reply -> {
          if (!(reply instanceof SessionCommand.Accepted)) {
            throw new IllegalStateException("submit of " + id + " refused: " + reply);
          }
          return reply;
        });
  }

  CompletableFuture<SessionState> state(String id) {
    return session(id).<SessionState>ask(SessionCommand.GetState::new, TIMEOUT).toCompletableFuture();
  }

  AgentStatus agentStatus() throws Exception {
    return node.services().status(node.system()).toCompletableFuture().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
  }

  /** The fault-free output: the same request run straight through on a fresh engine. */
  List<Integer> reference(SessionSpec spec) {
    ModelSpec model = node.services().workers().engine().model(spec.model()).orElseThrow();
    Generation g = ReferenceEngine.of(model, 0)
        .start(GenerationRequest.fresh(spec.promptTokens(), SamplingParams.of(spec.sampling())));
    List<Integer> out = new ArrayList<>(spec.maxTokens());
    for (int i = 0; i < spec.maxTokens(); i++) {
      out.add(g.next());
    }
    return out;
  }

  @Override
  public void close() {
    node.close();
  }
}
