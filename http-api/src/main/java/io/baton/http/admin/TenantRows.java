package io.baton.http.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.baton.actors.app.SessionService;
import io.baton.actors.app.Tenants;
import io.baton.actors.queue.QueueBoard;
import io.baton.http.Json;
import io.baton.http.RequestSlots;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code GET /admin/tenants}: every configured tenant (and the defaults) with its weight, class and
 * limits, and what it uses of them on this node now: open requests and tokens left this minute.
 */
public final class TenantRows {
  private final SessionService sessions;
  private final RequestSlots slots;

  public TenantRows(SessionService sessions, RequestSlots slots) {
    this.sessions = sessions;
    this.slots = slots;
  }

  /** The admission queues as this node last heard them. */
  QueueBoard queues() {
    return sessions.queues();
  }

  public ObjectNode all() {
    Tenants tenants = sessions.tenants();
    List<Tenants.Tenant> rows = new ArrayList<>(tenants.all());
    rows.add(tenants.defaults());
    ObjectNode list = Json.MAPPER.createObjectNode();
    list.put("object", "list");
    ArrayNode data = list.putArray("data");
    for (Tenants.Tenant t : rows) {
      ObjectNode row = data.addObject();
      row.put("tenant", t.name());
      row.put("weight", t.weight());
      row.put("class", t.serviceClass().wireName());
      row.put("max_concurrent", slots.limit(t.name()));
      row.put("open_requests", slots.inUse(t.name()));
      row.put("tokens_per_minute", t.tokensPerMinute() == 0 ? null : t.tokensPerMinute());
      long left = sessions.buckets().remaining(t.name());
      row.put("tokens_left", left < 0 ? null : left);
      row.put("max_queued", t.maxQueued() == 0 ? null : t.maxQueued());
    }
    return list;
  }
}
