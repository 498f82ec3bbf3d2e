package io.baton.http.console;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.baton.actors.feed.FeedEntry;
import io.baton.actors.feed.RecentSession;
import io.baton.http.Json;
import java.time.Instant;
import org.apache.pekko.http.javadsl.model.sse.ServerSentEvent;

/**
 * The admin feed's wire format: one flat JSON object per entry (id, type, at, origin, then the
 * event's own fields), sent as an SSE event whose {@code id} is the entry's and whose
 * {@code event} is its type.
 */
final class FeedJson {
  private FeedJson() {}

  static ObjectNode of(FeedEntry entry) {
    ObjectNode event = Json.MAPPER.valueToTree(entry.event());
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("id", entry.id());
    o.set("type", event.remove("type"));
    o.put("at", entry.at().toString());
    o.put("origin", entry.origin());
    o.setAll(event);
    return o;
  }

  static ServerSentEvent sse(FeedEntry entry) {
    ObjectNode o = of(entry);
    return ServerSentEvent.create(Json.write(o), o.get("type").asText(), entry.id());
  }

  static ObjectNode row(RecentSession s) {
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("id", s.id());
    o.put("tenant", s.tenant());
    o.put("model", s.model());
    o.put("class", s.serviceClass());
    o.put("status", s.status());
    o.put("attempts", s.attempts());
    o.put("gpu", s.gpu());
    o.put("tokens", s.tokens());
    o.put("submitted_at", text(s.submittedAt()));
    o.put("updated_at", text(s.updatedAt()));
    return o;
  }

  private static String text(Instant at) {
    return at == null ? null : at.toString();
  }
}
