package io.baton.orchestrator.batch;

import io.baton.actors.app.Refusal;
import io.baton.actors.app.Result;
import io.baton.actors.app.SessionService;
import io.baton.actors.session.SessionFollower;
import io.baton.actors.session.SessionStatus;
import io.baton.http.batch.BatchLines;
import io.baton.http.metrics.HttpMetrics;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Sink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one good batch line as its session and waits for its end: (line index, completed). The
 * session id derives from the batch and the line, so running a line again is the same session.
 */
final class BatchLineRunner {
  private static final Logger log = LoggerFactory.getLogger(BatchLineRunner.class);

  private final SessionService sessions;
  private final HttpMetrics httpMetrics;
  private final Materializer materializer;

  BatchLineRunner(SessionService sessions, HttpMetrics httpMetrics, Materializer materializer) {
    this.sessions = sessions;
    this.httpMetrics = httpMetrics;
    this.materializer = materializer;
  }

  CompletionStage<Pair<Integer, Boolean>> run(String batchId, BatchLines.Good good) {
    String id = BatchLines.sessionId(batchId, good.index());
    // Counted like a request's session (in flight, then ended by outcome), so sessions in /metrics add up.
    HttpMetrics.Tracker tracker = httpMetrics.track(good.prepared().spec().model(), System.nanoTime(), false);
    return sessions.submitAs(id, good.prepared())
        .thenCompose(submitted -> {
          if (submitted instanceof Result.Refused<SessionService.Submitted> refused) {
            if (refused.refusal().kind() == Refusal.Kind.UNAVAILABLE) {
              // The driver's phase fails and is retried; the line's session id makes that idempotent.
              throw new IllegalStateException("line " + good.index() + ": " + refused.refusal().message());
            }
            // Refused for good (another spec under the line's id): the line fails rather than loop.
            log.warn("batch {} line {} refused: {}", batchId, good.index(), refused.refusal().message());
            return CompletableFuture.<SessionFollower.Event>completedFuture(new SessionFollower.Lost("refused"));
          }
          return sessions.follow(id, Integer.MAX_VALUE).runWith(Sink.last(), materializer);
        })
        .thenApply(end -> {
          SessionStatus status = end instanceof SessionFollower.Ended e ? e.status() : null;
          tracker.ended(status == null ? "lost" : status.name().toLowerCase());
          return Pair.create(good.index(), status == SessionStatus.COMPLETED);
        })
        .whenComplete((done, error) -> tracker.ended("lost"));
  }
}
