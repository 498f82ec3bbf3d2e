package io.baton.http.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.baton.actors.queue.QueueBoard;
import io.baton.actors.queue.QueueSummary;
import io.baton.actors.session.ServiceClass;
import io.baton.http.Json;
import java.time.Duration;
import java.time.Instant;
import java.util.TreeSet;

/**
 * {@code GET /admin/queues}: each model's admission queue as this node last heard it (the queue is
 * one entity in the cluster, so every node answers alike): who waits, in admission order, since
 * when (a waiter keeps its queued_at when the queue moves nodes) and for how long; each tenant's
 * attained service and the share it got against its weight; preemptions by class; and whether the
 * summary is current.
 */
final class QueueRows {
  private QueueRows() {}

  static ObjectNode all(QueueBoard board) {
    ObjectNode list = Json.MAPPER.createObjectNode();
    list.put("object", "list");
    ArrayNode data = list.putArray("data");
    Instant now = Instant.now();
    for (QueueSummary q : board.all()) {
      ObjectNode row = data.addObject();
      row.put("model", q.model());
      row.put("current", board.fresh(q.model()).isPresent());
      row.put("as_of", q.at().toString());
      row.put("waiting", q.waiting());
      ObjectNode byClass = row.putObject("waiting_by_class");
      ObjectNode expected = row.putObject("expected_wait_seconds");
      for (ServiceClass cls : ServiceClass.values()) {
        byClass.put(cls.wireName(), cls.rank() < q.waitingByRank().size() ? q.waitingByRank().get(cls.rank()) : 0);
        Duration wait = q.expectedWait(cls);
        expected.put(cls.wireName(), wait == null ? null : wait.toMillis() / 1000.0);
      }
      row.put("free_places", q.free());
      row.put("admitted", q.admitted());
      row.put("admit_rate_per_second", q.admitRate());
      ArrayNode head = row.putArray("head");
      for (QueueSummary.Head h : q.head()) {
        ObjectNode w = head.addObject();
        w.put("session", h.sessionId());
        w.put("tenant", h.tenant());
        w.put("class", ServiceClass.ofRank(h.rank()).wireName());
        w.put("resuming", h.resuming());
        w.put("queued_at", h.queuedAt().toString());
        w.put("waited_seconds", Duration.between(h.queuedAt(), now).toMillis() / 1000.0);
      }
      ArrayNode tenants = row.putArray("tenants");
      TreeSet<String> names = new TreeSet<>(q.attained().keySet());
      names.addAll(q.waitingByTenant().keySet());
      double weights = names.stream().mapToDouble(t -> q.weights().getOrDefault(t, 1.0)).sum();
      for (String t : names) {
        ObjectNode tr = tenants.addObject();
        tr.put("tenant", t);
        tr.put("waiting", q.waitingByTenant().getOrDefault(t, 0));
        tr.put("attained_tokens", q.attained().getOrDefault(t, 0.0));
        tr.put("share", q.share(t));
        tr.put("weight_share", q.weights().getOrDefault(t, 1.0) / weights);
      }
      ObjectNode preemptions = row.putObject("preemptions_by_class");
      q.preemptions().forEach((rank, n) -> preemptions.put(ServiceClass.ofRank(rank).wireName(), n));
    }
    return list;
  }
}
