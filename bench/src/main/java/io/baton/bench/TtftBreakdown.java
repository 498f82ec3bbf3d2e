package io.baton.bench;

import io.baton.actors.session.SessionState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Where an HTTP stream's time to first token goes, from the client's clock and the session's own
 * journal timestamps (the bench and the node share one JVM, so one clock). Each part's p50:
 *
 * <ol>
 *   <li>request → the entity handles Submit: HTTP, sharding, remembering the entity, its recovery
 *       reads;
 *   <li>Submit → response headers: the placer's offer and the one write of Submitted + Placed;
 *   <li>headers → the first chunk reaches the entity: the grant, the runner's start, prefill and the
 *       first decode step;
 *   <li>first chunk → client: its write, the delivery to the follower, the SSE frame.
 * </ol>
 */
final class TtftBreakdown {
  record Parts(List<Double> toEntity, List<Double> toHeaders, List<Double> toFirstChunk, List<Double> toClient) {}

  private TtftBreakdown() {}

  static Parts of(StreamLatency.Samples api, BenchNode node) throws Exception {
    Parts parts = new Parts(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
    for (int i = 0; i < api.sessions().size(); i++) {
      SessionState s = node.state(api.sessions().get(i)).get(30, TimeUnit.SECONDS);
      Instant started = api.started().get(i);
      double entity = millis(started, s.submittedAt());
      double headers = api.headers().get(i);
      double firstChunk = millis(started, s.firstTokenAt());
      parts.toEntity().add(entity);
      parts.toHeaders().add(headers - entity);
      parts.toFirstChunk().add(firstChunk - headers);
      parts.toClient().add(api.ttft().get(i) - firstChunk);
    }
    return parts;
  }

  private static double millis(Instant from, Instant to) {
    return Duration.between(from, to).toNanos() / 1e6;
  }
}
