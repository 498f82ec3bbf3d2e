package io.baton.http.console;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.baton.actors.batch.Batch;
import io.baton.actors.feed.FeedEntry;
import io.baton.actors.feed.FeedEvent;
import io.baton.actors.queue.AdmissionQueue;
import io.baton.actors.session.Session;
import io.baton.actors.worker.GpuWorker;
import io.baton.http.Json;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.stream.StreamSupport;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.GetClusterShardingStats;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * {@code GET /admin/topology}: the cluster as this node sees it (members, leader, oldest), how each
 * entity type's shards spread over the nodes, and the last downing the admin feed carried (the
 * split-brain resolver's decision, or an operator's).
 */
final class Topology {
  private static final Duration STATS_TIMEOUT = Duration.ofSeconds(1);
  private static final List<EntityTypeKey<?>> TYPES = List.of(Session.ENTITY_KEY, GpuWorker.ENTITY_KEY,
      Batch.ENTITY_KEY, AdmissionQueue.ENTITY_KEY);

  private final ActorSystem<?> system;
  private final ConsoleData data;

  Topology(ActorSystem<?> system, ConsoleData data) {
    this.system = system;
    this.data = data;
  }

  String selfNode() {
    return system.settings().config().getString("baton.orchestrator.node-id");
  }

  CompletionStage<ObjectNode> describe() {
    Cluster cluster = Cluster.get(system);
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("object", "baton.topology");
    o.put("self", cluster.selfMember().address().toString());
    Address leader = cluster.state().getLeader();
    o.put("leader", leader == null ? null : leader.toString());
    List<Member> members = StreamSupport.stream(cluster.state().getMembers().spliterator(), false)
        .sorted(Comparator.comparing(Member::address, Member.addressOrdering())).toList();
    Optional<Member> oldest = members.stream().filter(m -> m.status() == MemberStatus.up())
        .min((a, b) -> a.isOlderThan(b) ? -1 : b.isOlderThan(a) ? 1 : 0);
    o.put("oldest", oldest.map(m -> m.address().toString()).orElse(null));
    ArrayNode rows = o.putArray("members");
    for (Member m : members) {
      ObjectNode r = rows.addObject();
      r.put("address", m.address().toString());
      r.put("status", m.status().toString().replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT));
      ArrayNode roles = r.putArray("roles");
      new TreeSet<>(m.getRoles()).stream().filter(role -> !role.startsWith("dc-")).forEach(roles::add);
      r.put("reachable", !cluster.state().getUnreachable().contains(m));
      r.put("oldest", oldest.map(m::equals).orElse(false));
    }
    List<CompletableFuture<ObjectNode>> shards = new ArrayList<>();
    for (EntityTypeKey<?> type : TYPES) {
      shards.add(shards(type).toCompletableFuture());
    }
    CompletableFuture<Optional<FeedEntry>> downing = data.lastDowning().toCompletableFuture();
    return CompletableFuture.allOf(shards.toArray(CompletableFuture[]::new)).thenCombine(downing, (done, last) -> {
      ArrayNode byType = o.putArray("shards");
      shards.forEach(s -> byType.add(s.join()));
      o.set("last_downing", last.map(Topology::downing).orElse(null));
      return o;
    });
  }

  /** One entity type's regions; a region that did not answer in time is listed without counts. */
  private CompletionStage<ObjectNode> shards(EntityTypeKey<?> type) {
    CompletionStage<ShardRegion.ClusterShardingStats> stats = AskPattern.ask(
        ClusterSharding.get(system).shardState(),
        replyTo -> new GetClusterShardingStats(type, STATS_TIMEOUT, replyTo), STATS_TIMEOUT.plusMillis(500),
        system.scheduler());
    return stats.handle((s, error) -> {
      ObjectNode t = Json.MAPPER.createObjectNode();
      t.put("type", type.name());
      ArrayNode regions = t.putArray("regions");
      if (s == null) {
        t.put("error", "the shard regions did not answer within " + STATS_TIMEOUT.toSeconds() + " s");
        return t;
      }
      for (Map.Entry<Address, ShardRegion.ShardRegionStats> e : s.getRegions().entrySet()) {
        ObjectNode r = regions.addObject();
        r.put("address", e.getKey().toString());
        r.put("shards", e.getValue().getStats().size());
        r.put("entities", e.getValue().getStats().values().stream().mapToInt(v -> ((Number) v).intValue()).sum());
      }
      return t;
    });
  }

  private static ObjectNode downing(FeedEntry entry) {
    FeedEvent.MemberChanged m = (FeedEvent.MemberChanged) entry.event();
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("at", entry.at().toString());
    o.put("address", m.address());
    o.put("decision", "down " + m.address());
    o.put("detail", m.detail());
    o.put("decided_by", entry.origin());
    return o;
  }
}
