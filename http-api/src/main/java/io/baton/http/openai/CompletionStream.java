package io.baton.http.openai;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.baton.actors.session.SessionFollower;
import io.baton.actors.session.SessionStatus;
import io.baton.http.Json;
import io.baton.actors.app.StreamDecoder;
import io.baton.http.errors.ApiError;
import io.baton.http.errors.ApiException;
import io.baton.http.metrics.HttpMetrics;
import io.baton.actors.app.SessionService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * Turns a session's durable tokens into an OpenAI answer: a stream of SSE events (one per token,
 * {@code id: <tokenIndex>}), or one JSON object once the session ends. Stop sequences end the
 * answer early: the session's worker stops generating at the same token (the stop sequences are
 * part of the session's spec), and the text is cut before the sequence, as OpenAI does.
 */
final class CompletionStream {
  /** One piece of the SSE body; {@code last} ends the body after it. */
  private record Frame(ByteString bytes, boolean last) {}

  private final SessionService sessions;
  private final SessionService.Submitted submitted;
  private final CompletionRequest request;
  private final ChunkFormat format;
  private final int promptTokens;
  private final AtomicBoolean ended = new AtomicBoolean();
  private final HttpMetrics.Tracker tracker;

  CompletionStream(SessionService sessions, SessionService.Submitted submitted, CompletionRequest request, long created,
      HttpMetrics.Tracker tracker) {
    this.sessions = sessions;
    this.tracker = tracker;
    this.submitted = submitted;
    this.request = request;
    this.format = new ChunkFormat(request.chat(), submitted.sessionId(), submitted.spec().model(), created,
        request.includeUsage());
    this.promptTokens = submitted.spec().promptTokens().size();
  }

  /**
   * The SSE body, from token {@code fromIndex} (0 for a new request).
   *
   * @param before the session's tokens before {@code fromIndex}, so the text resumes exactly
   */
  Source<ByteString, NotUsed> sse(int fromIndex, List<Integer> before, Duration keepAlive) {
    Source<Frame, NotUsed> frames = sessions.follow(submitted.sessionId(), fromIndex)
        .statefulMapConcat(() -> {
          StopScanner stops = new StopScanner(submitted.spec().stop());
          StreamDecoder decoder = submitted.codec().decoder(before);
          boolean[] first = {true};
          return event -> {
            List<Frame> out = new ArrayList<>();
            if (first[0] && request.chat()) {
              out.add(new Frame(ChunkFormat.event(fromIndex - 1, format.roleChunk()), false));
            }
            first[0] = false;
            if (event instanceof SessionFollower.Tokens t) {
              tracker.tokens(t.tokens().size());
              for (int i = 0; i < t.tokens().size(); i++) {
                int index = t.fromIndex() + i;
                String text = stops.feed(decoder.next(t.tokens().get(i)));
                if (stops.stopped()) {
                  finish(out, index, text, "stop", index + 1);
                  tracker.ended("stopped");
                  return out;
                }
                out.add(new Frame(ChunkFormat.event(index, format.textChunk(text, null)), false));
              }
            } else if (event instanceof SessionFollower.Ended e && e.status() == SessionStatus.COMPLETED) {
              String held = stops.feed(decoder.flush());
              finish(out, e.totalTokens() - 1, held + stops.flush(), e.reason(), e.totalTokens());
              tracker.ended("completed");
            } else {
              out.add(new Frame(errorEvent(event), true));
              ended.set(true);
              tracker.ended(outcome(event));
            }
            return out;
          };
        });
    return frames
        .takeWhile(f -> !f.last(), true)
        .map(Frame::bytes)
        .keepAlive(keepAlive, () -> ChunkFormat.PING)
        // Ended before its end was written: the client went away (the session itself runs on).
        .watchTermination((mat, done) -> {
          done.whenComplete((d, e) -> tracker.ended("disconnected"));
          return mat;
        });
  }

  private static String outcome(SessionFollower.Event event) {
    return event instanceof SessionFollower.Ended e ? e.status().name().toLowerCase() : "lost";
  }

  private void finish(List<Frame> out, int index, String text, String finishReason, int completionTokens) {
    out.add(new Frame(ChunkFormat.event(index, format.textChunk(text, finishReason)), false));
    if (request.includeUsage()) {
      out.add(new Frame(ChunkFormat.event(index, format.usageChunk(promptTokens, completionTokens)), false));
    }
    out.add(new Frame(ChunkFormat.DONE, true));
    ended.set(true);
  }

  /** Whether the stream produced its end (finish or error); false after a client disconnect. */
  boolean ended() {
    return ended.get();
  }

  /** A session that failed or was cancelled mid-stream: OpenAI's clients read an error object. */
  private ByteString errorEvent(SessionFollower.Event event) {
    ApiError error = failure(event);
    ObjectNode body = Json.errorBody(error);
    return ByteString.fromString("data: " + Json.write(body) + "\n\n");
  }

  private static ApiError failure(SessionFollower.Event event) {
    if (event instanceof SessionFollower.Ended e && e.status() == SessionStatus.CANCELLED) {
      return new ApiError(499, "invalid_request_error", "the session was cancelled: " + e.reason(), null, "cancelled");
    }
    if (event instanceof SessionFollower.Ended e) {
      return new ApiError(500, "server_error", "the session failed: " + e.reason(), null, "session_failed");
    }
    return ApiError.unavailable("lost the session: " + ((SessionFollower.Lost) event).reason());
  }

  /** The whole answer once the session ended, for a request that did not stream. */
  CompletionStage<ObjectNode> collect(ActorSystem<?> system) {
    return sessions.follow(submitted.sessionId(), 0)
        .runWith(Sink.seq(), system)
        .thenApply(events -> {
          StopScanner stops = new StopScanner(submitted.spec().stop());
          StreamDecoder decoder = submitted.codec().decoder(List.of());
          StringBuilder text = new StringBuilder();
          int tokens = 0;
          for (SessionFollower.Event event : events) {
            if (event instanceof SessionFollower.Tokens t) {
              for (Integer token : t.tokens()) {
                tokens++;
                text.append(stops.feed(decoder.next(token)));
                if (stops.stopped()) {
                  tracker.ended("stopped");
                  return format.completion(text.toString(), "stop", promptTokens, tokens);
                }
              }
            } else if (event instanceof SessionFollower.Ended e && e.status() == SessionStatus.COMPLETED) {
              text.append(stops.feed(decoder.flush())).append(stops.flush());
              tracker.ended("completed");
              return format.completion(text.toString(), e.reason(), promptTokens, e.totalTokens());
            } else {
              tracker.ended(outcome(event));
              throw new ApiException(failure(event));
            }
          }
          throw new ApiException(ApiError.unavailable("the session's stream ended without an end"));
        })
        .whenComplete((body, error) -> tracker.ended("lost"));
  }
}
