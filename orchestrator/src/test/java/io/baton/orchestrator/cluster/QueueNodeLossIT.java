package io.baton.orchestrator.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.baton.actors.queue.QueueEvent;
import io.baton.actors.queue.QueueSettings;
import io.baton.actors.queue.QueueState;
import io.baton.actors.session.ServiceClass;
import io.baton.orchestrator.cluster.QueueProbe.Queue;
import io.baton.orchestrator.cluster.QueueProbe.Request;
import io.baton.persistence.BatonConfig;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The node-loss test: a real three-node cluster (one GPU each, three places per GPU) is
 * saturated by two tenants, gold (weight 3) and bulk (weight 1), with interactive requests and
 * bulk's batch ones, so that ten wait in the model's admission queue. The node that hosts the
 * queue entity is killed with kill -9. Its GPU was cordoned once the queue formed, so the kill
 * displaces no running session (one displaced by a fault is never held back: it would take a free
 * place at once, without the queue), and every place after the recovery is the queue's to give.
 * Once the cluster has downed the node, within the bound the settings give, the queue is back on a
 * survivor with the same waiters, their original queued times and each tenant's attained service;
 * every queued request completes token-exact; and every admission after the recovery, as the
 * sessions' placements show it, is the one the queue's policy (class, then attained service per
 * weight) picks from the recovered state.
 */
class QueueNodeLossIT {
  /** Any seed must do: a fresh one each run, named in every failure; -Dbaton.test.seed=N replays one. */
  private static final long SEED = Long.getLong("baton.test.seed", ThreadLocalRandom.current().nextLong(1, 1L << 31));
  private static final Duration DECODE = Duration.ofMillis(40);
  private static final int PLACES = 3 * 3;
  private static final int INTERACTIVE = 12;
  private static final int BATCH = 4;
  private static final Map<String, Double> WEIGHTS = Map.of("gold", 3.0, "bulk", 1.0);
  /** Any single wait: the failover, or a wave of generations; each takes far less. */
  private static final Duration STEP = Duration.ofSeconds(90);
  /**
   * Runs start, so end, this far apart: each freed place is admitted on its own, and its session
   * is placed long before the next place frees.
   */
  private static final Duration STAGGER = Duration.ofMillis(500);
  /**
   * Sessions admitted together are told in order but placed by their own nodes at once, so their
   * placement times may swap: placements closer than this count as one admission round.
   */
  private static final Duration ROUND = Duration.ofMillis(250);

  @Test
  @Timeout(value = 6, unit = TimeUnit.MINUTES)
  void queuedRequestsSurviveTheLossOfTheQueuesNodeAndKeepTheirOrder() throws Exception {
    Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "queue-node-loss-");
    Map<String, String> config = Map.of("baton.workers.engine.timing.decode-per-token", DECODE.toMillis() + "ms",
        "baton.workers.agent.sessions-per-gpu", "3", "baton.http.api-keys", "gold:sk-gold,bulk:sk-bulk",
        "baton.tenants.gold.weight", "3");
    Config c = BatonConfig.load(ConfigFactory.parseMap(config));
    Duration bound = backBound(c);
    // A long run outlasts the openers' stagger, the failover and the waiters' next Wait (placement
    // retry 500 ms): no place frees while the queue is away (nodes that stop hearing it place
    // without it), so every placement after the recovery is the recovered queue's admission.
    int longTokens = tokens(downing(c).plus(bound).plus(STAGGER.multipliedBy(PLACES)).plusSeconds(1));
    String seedInfo = "seed " + SEED + ", logs in " + dir.toAbsolutePath();
    try (LocalCluster cluster = LocalCluster.start(ClusterOptions.defaults(dir, 3, 1).withSpares(0)
        .withNodeConfig(config))) {
      QueueProbe probe = new QueueProbe(cluster);
      List<NodeProcess> nodes = cluster.nodes();
      // Runs of 4 s and more fill every place first, so that the requests under test all wait in the
      // queue and only its policy decides who runs. Each group goes in at once, batch first.
      List<Request> openers = new ArrayList<>();
      for (int i = 0; i < PLACES; i++) {
        openers.add(new Request(i, "bulk", "sk-bulk", false, "Open " + i, tokens(STAGGER.multipliedBy(8 + i)),
            SEED + 1000 + i));
      }
      probe.submit(openers, false);
      List<Request> workload = workload(longTokens);
      probe.submit(workload.subList(0, BATCH), true);
      NodeProcess host = await().atMost(STEP).until(probe::host, Optional::isPresent).orElseThrow();
      probe.cordon(host);
      probe.submit(workload.subList(BATCH, workload.size()), true);
      // The openers' places on the other GPUs went to the queue's first admissions, both tenants'.
      int open = PLACES - PLACES / nodes.size();
      await().atMost(STEP).pollInterval(Duration.ofMillis(100)).until(() -> probe.queue(nodes.get(0)),
          q -> q.isPresent() && q.get().current() && q.get().waiting() <= INTERACTIVE + BATCH - open
              && q.get().attained("gold") > 0 && q.get().attained("bulk") > 0);
      NodeProcess survivor = nodes.stream().filter(n -> n != host).findFirst().orElseThrow();
      Queue before = probe.queue(survivor).orElseThrow();
      assertTrue(before.waiting() > BATCH, "interactive requests wait beside the batch ones: " + before);

      Instant killedAt = Instant.now();
      host.kill9();
      Instant downedAt = await().atMost(STEP).pollInterval(Duration.ofMillis(100)).until(() -> {
        List<String> up = ClusterMembers.up(survivor);
        return up.isEmpty() || up.contains(host.clusterAddress()) ? null : Instant.now();
      }, Objects::nonNull);
      await().atMost(STEP).pollInterval(Duration.ofMillis(100)).until(() -> probe.queue(survivor),
          q -> q.isPresent() && q.get().current() && Instant.parse(q.get().asOf()).isAfter(killedAt));
      Duration recovered = Duration.between(downedAt, Instant.now());
      Map<String, JsonNode> views = new HashMap<>();
      Queue after = await("the recovered queue to hold exactly the pending sessions").atMost(STEP)
          .pollInterval(Duration.ofMillis(200)).until(() -> probe.settled(survivor, views), Optional::isPresent)
          .orElseThrow();
      NodeProcess newHost = await().atMost(STEP).until(probe::host, Optional::isPresent).orElseThrow();
      System.out.println("queue host " + host.nodeId() + " killed; downed after "
          + Duration.between(killedAt, downedAt).toMillis() + " ms; the queue back on " + newHost.nodeId() + " "
          + recovered.toMillis() + " ms later (bound " + bound.toMillis() + " ms); before " + before + "; after "
          + after + "; " + seedInfo);

      // (3) Once the node is downed, the queue is back within the bound the settings give.
      assertTrue(recovered.compareTo(bound) <= 0, "the queue was back " + recovered.toMillis()
          + " ms after the downing, beyond the bound of " + bound.toMillis() + " ms; " + seedInfo);
      // (2) It holds every session still waiting (above), each since it first queued, and what
      // each tenant attained and how many it admitted.
      Map<String, String> queuedAt = new HashMap<>();
      after.head().forEach(w -> queuedAt.put(w.session(), w.queuedAt()));
      List<QueueProbe.Waiter> kept = before.head().stream().filter(w -> queuedAt.containsKey(w.session())).toList();
      assertTrue(kept.size() > BATCH, "the waiters before the kill still wait: " + before + " / " + after);
      kept.forEach(w -> assertEquals(w.queuedAt(), queuedAt.get(w.session()), w + " keeps its place: " + after));
      assertTrue(after.admitted() >= before.admitted(), "admissions are not forgotten: " + before + " / " + after);
      for (String tenant : WEIGHTS.keySet()) {
        assertTrue(after.attained(tenant) >= before.attained(tenant), tenant + "'s attained service survives: "
            + before + " / " + after);
      }

      // (1) No queued request is lost: each completes with exactly its fault-free text.
      await().atMost(STEP.multipliedBy(2)).pollInterval(Duration.ofMillis(500)).until(() -> probe.finished(survivor));
      for (Map.Entry<String, Request> e : probe.requests.entrySet()) {
        assertEquals(QueueProbe.reference(e.getValue()), probe.text(survivor, e.getKey()),
            "session " + e.getKey() + " (" + e.getValue() + ") is token-exact; " + seedInfo);
      }

      // (2) Every admission after the recovery is the one the policy picks from the recovered state.
      List<Set<String>> rounds = probe.rounds(survivor, after.sessions(), killedAt, ROUND);
      QueueState policy = recoveredState(after, views, QueueSettings.fromConfig(c).promptFraction());
      List<String> seen = new ArrayList<>();
      for (Set<String> round : rounds) {
        Set<String> expected = new HashSet<>();
        for (int i = 0; i < round.size(); i++) {
          String next = policy.next().orElseThrow().sessionId();
          expected.add(next);
          policy = policy.apply(new QueueEvent.Admitted(List.of(next), Instant.now()));
        }
        seen.add(round.stream().map(probe.requests::get).map(r -> r.tenant() + (r.batch() ? "/batch" : ""))
            .sorted().toList().toString());
        assertEquals(expected, round, "admission round " + seen.size() + " after the recovery (rounds so far "
            + seen + ") follows class, then attained service per weight; recovered " + after + "; " + seedInfo);
      }
      assertTrue(after.head().stream().anyMatch(w -> w.cls().equals("batch"))
          && after.head().stream().filter(w -> w.cls().equals("interactive")).map(QueueProbe.Waiter::tenant)
              .distinct().count() == 2, "the recovered queue held both classes and both tenants: " + after);
      System.out.println("admission rounds after the recovery: " + seen);
    }
    // Kept when the test fails: the node logs are in it.
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
    }
  }

  private static int tokens(Duration generation) {
    return (int) (generation.toMillis() / DECODE.toMillis());
  }

  /**
   * Bulk's batch requests first, then the tenants' interactive ones in a seeded order: the batch
   * ones queue earliest, so only the class puts them last (they run last, so they may be short).
   * Gold asks twice as often as bulk: admitted 3:1 by weight, both still wait when the node dies.
   */
  private static List<Request> workload(int interactiveTokens) {
    List<Request> interactive = new ArrayList<>();
    for (int i = 0; i < INTERACTIVE; i++) {
      String tenant = i % 3 == 2 ? "bulk" : "gold";
      interactive.add(new Request(BATCH + i, tenant, "sk-" + tenant, false, "Wait your turn " + i, interactiveTokens,
          SEED + i));
    }
    Collections.shuffle(interactive, new Random(SEED));
    List<Request> all = new ArrayList<>();
    for (int i = 0; i < BATCH; i++) {
      all.add(new Request(i, "bulk", "sk-bulk", true, "Batch line " + i, tokens(STAGGER.multipliedBy(4)),
          SEED + 100 + i));
    }
    all.addAll(interactive);
    return all;
  }

  /**
   * From the downing to the queue publishing again elsewhere: the leader removes the downed node at
   * its next action; sharding waits the down-removal margin, then the coordinator (itself moving
   * when the dead node was the oldest) starts the queue on a survivor, where it replays its journal
   * and publishes, within stale-after: the silence every node already allows a moving queue before
   * it places without it. The downing itself is measured, as the chaos suite does: the phi detector
   * and the split brain resolver's 1 s tick add their own jitter to the nominal {@link #downing}.
   */
  private static Duration backBound(Config c) {
    return Stream.of("pekko.cluster.leader-actions-interval", "pekko.cluster.down-removal-margin",
        "baton.queues.stale-after").map(c::getDuration).reduce(Duration.ZERO, Duration::plus);
  }

  /** Nominally: detection (heartbeat, acceptable pause, reaper), then stable-after on a 1 s tick. */
  private static Duration downing(Config c) {
    return Stream.of("failure-detector.heartbeat-interval", "failure-detector.acceptable-heartbeat-pause",
            "unreachable-nodes-reaper-interval", "split-brain-resolver.stable-after")
        .map(key -> c.getDuration("pekko.cluster." + key)).reduce(Duration.ofSeconds(1), Duration::plus);
  }

  /** The recovered queue as its state: each waiter's cost as its session's Wait computes it. */
  private static QueueState recoveredState(Queue q, Map<String, JsonNode> views, double promptFraction) {
    List<QueueState.Waiter> waiters = new ArrayList<>();
    for (QueueProbe.Waiter w : q.head()) {
      JsonNode v = views.get(w.session());
      int tokens = v.get("tokens").asInt();
      long cost = Math.max(0, v.get("max_tokens").asInt() - tokens)
          + (tokens == 0 ? Math.round(promptFraction * v.get("prompt_tokens").asInt()) : 0);
      waiters.add(new QueueState.Waiter(w.session(), w.tenant(), WEIGHTS.get(w.tenant()),
          ServiceClass.parse(w.cls()).orElseThrow().rank(), cost, w.resuming(), Instant.parse(w.queuedAt())));
    }
    Map<String, Double> attained = new HashMap<>();
    WEIGHTS.keySet().forEach(t -> attained.put(t, q.attained(t)));
    return new QueueState(QueueProbe.MODEL, waiters, attained, q.admitted());
  }
}
