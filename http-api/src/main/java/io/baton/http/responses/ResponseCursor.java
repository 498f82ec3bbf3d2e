package io.baton.http.responses;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.baton.actors.Printable;
import io.baton.actors.session.ResponseSpec;
import io.baton.actors.session.SessionState;
import io.baton.http.BodyFields;
import io.baton.http.Json;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/** Where a reader resumes: a stream's {@code starting_after}, and the input_items list's pages. */
final class ResponseCursor {
  private static final int DEFAULT_LIMIT = 20;
  private static final int MAX_LIMIT = 100;

  private ResponseCursor() {}

  /**
   * The sequence number the client has: {@code starting_after}, else the SSE {@code Last-Event-ID},
   * else -1 (from the start). It cannot lie beyond what the response has produced.
   */
  static long after(Optional<String> startingAfter, Optional<String> lastEventId, SessionState s) {
    String param = startingAfter.isPresent() ? "starting_after" : "Last-Event-ID";
    Optional<String> raw = startingAfter.isPresent() ? startingAfter : lastEventId;
    if (raw.isEmpty()) {
      return -1;
    }
    long after;
    try {
      after = Long.parseLong(raw.get().trim());
    } catch (NumberFormatException e) {
      throw BodyFields.error(param, param + " must be an event's sequence_number, was '" + Printable.of(raw.get())
          + "'");
    }
    long last = ResponseStream.lastSeq(s);
    if (after < -1 || after > last) {
      throw BodyFields.error(param, param + " must be between -1 and " + last + " (the last event so far), was "
          + after);
    }
    return after;
  }

  /** OpenAI's list page of the response's input items: newest first by default, {@code after} an item id. */
  static ObjectNode inputItems(SessionState s, Optional<String> limitParam, Optional<String> orderParam,
      Optional<String> afterParam) {
    int limit = limit(limitParam);
    String order = orderParam.orElse("desc");
    if (!order.equals("asc") && !order.equals("desc")) {
      throw BodyFields.error("order", "order must be 'asc' or 'desc', was '" + Printable.of(order) + "'");
    }
    List<ResponseSpec.InputItem> input = s.spec().response().input();
    List<ObjectNode> items = new ArrayList<>();
    for (int i = 0; i < input.size(); i++) {
      items.add(ResponseObjects.inputItem(s.sessionId(), i, input.get(i)));
    }
    if (order.equals("desc")) {
      Collections.reverse(items);
    }
    int from = 0;
    if (afterParam.isPresent()) {
      from = -1;
      for (int i = 0; i < items.size(); i++) {
        if (items.get(i).get("id").asText().equals(afterParam.get())) {
          from = i + 1;
        }
      }
      if (from < 0) {
        throw BodyFields.error("after", "no input item '" + Printable.of(afterParam.get()) + "' in this response");
      }
    }
    List<ObjectNode> page = items.subList(from, Math.min(items.size(), from + limit));
    ObjectNode list = Json.MAPPER.createObjectNode();
    list.put("object", "list");
    ArrayNode data = list.putArray("data");
    page.forEach(data::add);
    list.put("first_id", page.isEmpty() ? null : page.get(0).get("id").asText());
    list.put("last_id", page.isEmpty() ? null : page.get(page.size() - 1).get("id").asText());
    list.put("has_more", from + page.size() < items.size());
    return list;
  }

  private static int limit(Optional<String> raw) {
    if (raw.isEmpty()) {
      return DEFAULT_LIMIT;
    }
    try {
      int limit = Integer.parseInt(raw.get().trim());
      if (limit >= 1 && limit <= MAX_LIMIT) {
        return limit;
      }
    } catch (NumberFormatException e) {
      // Answered below, with the range.
    }
    throw BodyFields.error("limit", "limit must be an integer between 1 and " + MAX_LIMIT + ", was '"
        + Printable.of(raw.get()) + "'");
  }
}
