package io.baton.http.responses;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.baton.actors.app.ModelCatalog;
import io.baton.actors.app.SessionService;
import io.baton.actors.app.StreamDecoder;
import io.baton.actors.session.SessionFollower;
import io.baton.actors.session.SessionState;
import io.baton.http.Json;
import io.baton.http.errors.ApiError;
import io.baton.http.metrics.HttpMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * A response's server-sent events in OpenAI's shapes. Every event's {@code sequence_number} is a
 * function of the session's durable state, never of the connection: 0 to 3 open the response, the
 * item and its text part; token {@code i}'s delta is {@code 4 + i}; after the {@code n} tokens,
 * {@code 4 + n} is a held-back tail of text (only when a character ended split), then the text, the
 * part, the item and the response are done at {@code 5 + n} to {@code 8 + n}. So a stream resumed
 * after event N, on any node, is exactly the rest of the uninterrupted one. A token whose text is
 * still incomplete (a character split over tokens) sends no delta; its number is simply unused.
 */
final class ResponseStream {
  static final int FIRST_TOKEN_SEQ = 4;
  private static final ByteString PING = ByteString.fromString(": ping\n\n");

  /** The session's end, still to be turned into the closing events once its final state is read. */
  private record End(SessionFollower.Event event) {}

  private ResponseStream() {}

  /** The largest sequence number a client can have seen of this response by now. */
  static long lastSeq(SessionState s) {
    return s.status().isTerminal() ? FIRST_TOKEN_SEQ + 4L + s.tokenCount() : FIRST_TOKEN_SEQ - 1L + s.tokenCount();
  }

  /**
   * The events after {@code after} (-1: all of them), then the live ones until the response ends.
   *
   * @param state the session as read when the stream was asked for: where to start, and the text before
   * @param closed set once the closing events (or the error after a lost session) are on their way
   */
  static Source<ByteString, NotUsed> events(SessionService sessions, SessionState state, ModelCatalog.TextCodec codec,
      long after, Duration keepAlive, HttpMetrics.Tracker tracker, AtomicBoolean closed) {
    int firstToken = (int) Math.max(0, Math.min(after - (FIRST_TOKEN_SEQ - 1), state.tokenCount()));
    List<ByteString> opening = new ArrayList<>();
    String id = state.sessionId();
    String item = ResponseObjects.messageId(id);
    if (after < FIRST_TOKEN_SEQ - 1) {
      boolean queued = state.spec().response().background();
      add(opening, after, 0, "response.created", e -> e.set("response",
          ResponseObjects.started(state, queued ? "queued" : "in_progress")));
      add(opening, after, 1, "response.in_progress", e -> e.set("response",
          ResponseObjects.started(state, "in_progress")));
      add(opening, after, 2, "response.output_item.added", e -> e.put("output_index", 0)
          .set("item", ResponseObjects.message(id, "in_progress", null)));
      add(opening, after, 3, "response.content_part.added", e -> part(e, item).set("part",
          ResponseObjects.textPart("")));
    }
    Source<Object, NotUsed> live = sessions.follow(id, firstToken).statefulMapConcat(() -> {
      StreamDecoder decoder = codec.decoder(List.copyOf(state.tokens().subList(0, firstToken)));
      return event -> {
        List<Object> out = new ArrayList<>();
        if (event instanceof SessionFollower.Tokens t) {
          tracker.tokens(t.tokens().size());
          for (int i = 0; i < t.tokens().size(); i++) {
            String text = decoder.next(t.tokens().get(i));
            long seq = FIRST_TOKEN_SEQ + (long) t.fromIndex() + i;
            if (!text.isEmpty()) {
              add(out, after, seq, "response.output_text.delta", e -> delta(part(e, item), text));
            }
          }
        } else if (event instanceof SessionFollower.Ended ended) {
          String tail = decoder.flush();
          long seq = FIRST_TOKEN_SEQ + (long) ended.totalTokens();
          if (!tail.isEmpty()) {
            add(out, after, seq, "response.output_text.delta", e -> delta(part(e, item), tail));
          }
          out.add(new End(event));
        } else {
          out.add(new End(event));
        }
        return out;
      };
    });
    return Source.from(opening)
        .concat(live.mapAsync(1, e -> e instanceof End end
            ? closing(sessions, id, end, codec, after, tracker).whenComplete((frames, error) -> closed.set(true))
            : CompletableFuture.completedFuture(List.of((ByteString) e))).mapConcat(frames -> frames))
        .keepAlive(keepAlive, () -> PING)
        .watchTermination((mat, done) -> {
          done.whenComplete((d, error) -> tracker.ended("disconnected"));
          return mat;
        });
  }

  /** The closing events from the session's final state, or an error the client can resume after. */
  private static CompletionStage<List<ByteString>> closing(SessionService sessions, String id, End end,
      ModelCatalog.TextCodec codec, long after, HttpMetrics.Tracker tracker) {
    if (end.event() instanceof SessionFollower.Lost lost) {
      tracker.ended("lost");
      ApiError error = ApiError.unavailable("lost the response's session (" + lost.reason()
          + "); resume with GET /v1/responses/{id}?stream=true&starting_after=<last sequence_number>");
      return CompletableFuture.completedFuture(List.of(ByteString.fromString(
          "data: " + Json.write(Json.errorBody(error)) + "\n\n")));
    }
    return sessions.state(id).thenApply(s -> closingFrom(s, codec, after, tracker));
  }

  static List<ByteString> closingFrom(SessionState s, ModelCatalog.TextCodec codec, long after,
      HttpMetrics.Tracker tracker) {
    String text = codec.decode(s.tokens());
    String item = ResponseObjects.messageId(s.sessionId());
    ObjectNode response = ResponseObjects.response(s, text);
    String status = response.get("status").asText();
    tracker.ended(s.status().name().toLowerCase());
    long n = FIRST_TOKEN_SEQ + 1L + s.tokenCount();
    List<ByteString> out = new ArrayList<>();
    add(out, after, n, "response.output_text.done", e -> part(e, item).put("text", text).putArray("logprobs"));
    add(out, after, n + 1, "response.content_part.done", e -> part(e, item).set("part",
        ResponseObjects.textPart(text)));
    add(out, after, n + 2, "response.output_item.done", e -> e.put("output_index", 0)
        .set("item", ResponseObjects.message(s.sessionId(), ResponseObjects.itemStatus(status), text)));
    String type = switch (status) {
      case "completed" -> "response.completed";
      case "incomplete" -> "response.incomplete";
      default -> "response.failed";
    };
    add(out, after, n + 3, type, e -> e.set("response", response));
    return out;
  }

  private static ObjectNode part(ObjectNode e, String item) {
    return e.put("item_id", item).put("output_index", 0).put("content_index", 0);
  }

  private static ObjectNode delta(ObjectNode e, String text) {
    e.put("delta", text);
    e.putArray("logprobs");
    return e;
  }

  /** Adds the event numbered {@code seq} unless the client has it already. */
  private static void add(List<? super ByteString> out, long after, long seq, String type,
      Consumer<ObjectNode> fill) {
    if (seq <= after) {
      return;
    }
    ObjectNode e = Json.MAPPER.createObjectNode();
    e.put("type", type);
    fill.accept(e);
    e.put("sequence_number", seq);
    out.add(ByteString.fromString("id: " + seq + "\nevent: " + type + "\ndata: " + Json.write(e) + "\n\n"));
  }
}
