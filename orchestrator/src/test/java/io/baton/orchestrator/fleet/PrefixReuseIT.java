package io.baton.orchestrator.fleet;

import static io.baton.orchestrator.fleet.FleetFixture.MODEL;
import static io.baton.orchestrator.fleet.FleetFixture.TIMEOUT;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import io.baton.actors.session.ResumeMethod;
import io.baton.actors.session.SessionCommand;
import io.baton.actors.session.SessionSpec;
import io.baton.actors.session.SessionState;
import io.baton.persistence.PersistenceSettings;
import io.baton.persistence.Schema;
import io.baton.persistence.kv.KvBlockSchema;
import io.baton.persistence.testing.CassandraTestExtension;
import io.baton.workers.agent.AgentStatus;
import io.baton.workers.agent.GpuReport;
import io.baton.workers.engine.BlockHash;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Test 6 of the workers issue: sessions sharing a long prompt prefix share its KV blocks. A later
 * session is placed on the GPU that holds the prefix and reuses it from GPU memory; both sessions'
 * checkpoints name the same blocks, stored once; and on GPUs that never saw the prefix a new session
 * restores it from the store instead of computing it (prompt caching across the cluster).
 */
@ExtendWith(CassandraTestExtension.class)
class PrefixReuseIT {
  /** Ten full blocks. At 160 tokens the cost model already prefers a restore to a recompute. */
  private static final int SHARED = 160;
  private static final int SHARED_BLOCKS = SHARED / BlockHash.BLOCK_TOKENS;
  private static final List<Integer> PREFIX = FleetFixture.prompt(SHARED, 61);

  private static SessionSpec spec(List<Integer> tail, int maxTokens, long seed) {
    List<Integer> prompt = new ArrayList<>(PREFIX);
    prompt.addAll(tail);
    return FleetFixture.spec(prompt, maxTokens, seed);
  }

  @Test
  void sessionsSharingAPrefixReuseItsBlocksOnTheGpuAndThroughTheStore() throws Exception {
    List<String> prefixHashes = List.of(BlockHash.chain(
        PREFIX.stream().mapToInt(Integer::intValue).toArray(), SHARED, MODEL));
    SessionSpec specA = spec(List.of(1, 2, 3, 4, 5), 120, 61);
    SessionSpec specB = spec(List.of(9, 8, 7, 6, 5, 4), 60, 62);
    SessionSpec specC = spec(List.of(42, 43, 44), 60, 63);

    try (FleetFixture f = FleetFixture.start("prefix")) {
      Map<String, GpuReport> reports = watchReports(f);
      // Two decoys keep the first two GPUs busy, so A runs on the third: not the GPU an idle fleet's
      // tie-break (lowest id) would give B if placement ignored the prefix.
      List<String> decoys = List.of(busy(f, reports, 71), busy(f, reports, 72));
      String a = f.submit(specA);
      String gpuA = f.awaitSession(a, s -> s.status().isRunning()).currentAttempt().workerId();
      for (String d : decoys) {
        assertInstanceOf(SessionCommand.Accepted.class, f.session(d).<SessionCommand.Reply>ask(
            r -> new SessionCommand.Cancel("test decoy", r), TIMEOUT).toCompletableFuture().get());
      }
      SessionState doneA = f.awaitCompletedExactly(a, specA);
      assertNotEquals(f.gpu(0, 0), gpuA, "A avoided the busy GPUs");
      // Placers learn from reports: wait until every GPU is idle again and A's names the whole prefix.
      await().atMost(TIMEOUT).until(() -> reports.values().stream().allMatch(r -> r.sessions() == 0)
          && reports.containsKey(gpuA) && reports.get(gpuA).heldBlocks().containsAll(prefixHashes));
      long cachedBefore = f.agentStatus().gpu(gpuA).cachedTokens();

      // (a) B goes to the GPU holding the prefix and takes its blocks from GPU memory.
      String b = f.submit(specB);
      SessionState doneB = f.awaitCompletedExactly(b, specB);
      assertEquals(gpuA, doneB.attempts().get(0).workerId(), "placed on the GPU that holds the prefix");
      assertEquals(ResumeMethod.FRESH, doneB.attempts().get(0).method());
      AgentStatus.Gpu after = f.agentStatus().gpu(gpuA);
      assertTrue(after.cachedTokens() - cachedBefore >= SHARED,
          "cached prefill tokens grew from " + cachedBefore + " to " + after.cachedTokens());

      // (b) Both checkpoints start with the prefix's blocks, and the store holds each block once.
      assertEquals(prefixHashes, doneA.checkpointBlocks().subList(0, SHARED_BLOCKS));
      assertEquals(prefixHashes, doneB.checkpointBlocks().subList(0, SHARED_BLOCKS));
      assertNotEquals(doneA.checkpointBlocks().get(SHARED_BLOCKS), doneB.checkpointBlocks().get(SHARED_BLOCKS),
          "past the prefix the contexts differ");
      Set<String> all = new LinkedHashSet<>(doneA.checkpointBlocks());
      all.addAll(doneB.checkpointBlocks());
      Map<String, Integer> rows = storedRows(f, List.copyOf(all));
      assertEquals(all, rows.keySet(), "every checkpointed block is stored");
      rows.forEach((hash, count) -> assertEquals(1, count, "rows for block " + hash));
    }

    // (c) A new node: GPUs with empty memory. C's prompt prefix comes from the store, not the model.
    try (FleetFixture g = FleetFixture.start("prefix-restore")) {
      String c = g.submit(specC);
      SessionState doneC = g.awaitCompletedExactly(c, specC);
      assertEquals(1, doneC.attempts().size());
      AgentStatus.Gpu gpuC = g.agentStatus().gpu(doneC.currentAttempt().workerId());
      assertEquals(SHARED, gpuC.restoredTokens(), "the prompt's stored blocks were restored");
      assertEquals(0, gpuC.cachedTokens(), "nothing was in GPU memory");
      assertEquals(specC.promptTokens().size() - SHARED, gpuC.computedTokens(), "only the tail was computed");
    }
  }


  /** Submits a long unrelated session and waits until the placers hear that its GPU is busy. */
  private static String busy(FleetFixture f, Map<String, GpuReport> reports, int salt) throws Exception {
    String id = f.submit(FleetFixture.spec(FleetFixture.prompt(30, salt), 600, salt));
    String gpu = f.awaitSession(id, s -> s.status().isRunning()).currentAttempt().workerId();
    await().atMost(TIMEOUT).until(() -> reports.containsKey(gpu) && reports.get(gpu).sessions() > 0);
    return id;
  }

  /** The latest GPU report per GPU, as every placer hears them. */
  private static Map<String, GpuReport> watchReports(FleetFixture f) {
    Map<String, GpuReport> latest = new ConcurrentHashMap<>();
    ActorRef<Topic.Command<GpuReport>> topic = f.node.system().systemActorOf(
        Topic.create(GpuReport.class, GpuReport.TOPIC), "test-gpu-reports", Props.empty());
    ActorRef<GpuReport> recorder = f.node.system().systemActorOf(Behaviors.<GpuReport>receiveMessage(r -> {
      latest.put(r.gpuId(), r);
      return Behaviors.same();
    }), "test-report-recorder", Props.empty());
    topic.tell(Topic.subscribe(recorder));
    return latest;
  }

  /** Rows per block hash in the kv_blocks table, read with the Cassandra driver. */
  private static Map<String, Integer> storedRows(FleetFixture f, List<String> hashes) throws Exception {
    PersistenceSettings settings = PersistenceSettings.fromConfig(f.node.system().settings().config());
    CqlSession cql = Schema.session(f.node.system()).underlying().toCompletableFuture().get();
    Map<String, Integer> rows = new HashMap<>();
    for (Row row : cql.execute(SimpleStatement.newInstance(
        "SELECT hash FROM " + KvBlockSchema.table(settings) + " WHERE model = ? AND hash IN ?", MODEL, hashes))) {
      rows.merge(row.getString("hash"), 1, Integer::sum);
    }
    return rows;
  }
}
