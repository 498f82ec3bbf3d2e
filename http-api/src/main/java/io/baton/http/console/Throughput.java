package io.baton.http.console;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.baton.http.Json;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The console's throughput charts, from this node's own meters (no Prometheus needed): every
 * interval, the mean time to first token and inter-token latency of the streams it served, the
 * tokens per second its sessions persisted (streamed or not), and the migrations per minute its
 * placer made; 15 minutes of them.
 */
public final class Throughput {
  static final Duration INTERVAL = Duration.ofSeconds(5);
  static final int POINTS = (int) (Duration.ofMinutes(15).toSeconds() / INTERVAL.toSeconds());

  private sealed interface Command {}

  private record Sample() implements Command {}

  private record Get(ActorRef<ObjectNode> replyTo) implements Command {}

  /** The meters' running totals at a sample: each point is the difference of two. */
  private record Totals(Instant at, long ttftCount, double ttftMs, long itlCount, double itlMs, double tokens,
      double migrations) {}

  private final ActorSystem<?> system;
  private final ActorRef<Command> sampler;

  private Throughput(ActorSystem<?> system, ActorRef<Command> sampler) {
    this.system = system;
    this.sampler = sampler;
  }

  public static Throughput start(ActorSystem<?> system, MeterRegistry registry) {
    return new Throughput(system, system.systemActorOf(sampler(registry), "console-throughput", Props.empty()));
  }

  CompletionStage<ObjectNode> points() {
    return AskPattern.ask(sampler, Get::new, Duration.ofSeconds(3), system.scheduler());
  }

  private static Behavior<Command> sampler(MeterRegistry registry) {
    return Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay(new Sample(), INTERVAL);
      return sampling(registry, totals(registry), new ArrayDeque<>());
    });
  }

  /** @param last the totals at the previous sample: the next point is the difference */
  private static Behavior<Command> sampling(MeterRegistry registry, Totals last, Deque<ObjectNode> points) {
    return Behaviors.receive(Command.class)
        .onMessage(Sample.class, m -> {
          Totals now = totals(registry);
          points.addLast(point(last, now));
          while (points.size() > POINTS) {
            points.removeFirst();
          }
          return sampling(registry, now, points);
        })
        .onMessage(Get.class, m -> {
          ObjectNode o = Json.MAPPER.createObjectNode();
          o.put("object", "baton.throughput");
          o.put("interval_s", INTERVAL.toSeconds());
          ArrayNode data = o.putArray("points");
          points.forEach(data::add);
          m.replyTo().tell(o);
          return Behaviors.same();
        })
        .build();
  }

  private static Totals totals(MeterRegistry registry) {
    long ttftCount = 0;
    double ttftMs = 0;
    for (Timer t : registry.find("baton.time.to.first.token").timers()) {
      ttftCount += t.count();
      ttftMs += t.totalTime(TimeUnit.MILLISECONDS);
    }
    long itlCount = 0;
    double itlMs = 0;
    for (Timer t : registry.find("baton.inter.token.latency").timers()) {
      itlCount += t.count();
      itlMs += t.totalTime(TimeUnit.MILLISECONDS);
    }
    double tokens = registry.find("baton.tokens.generated").counters().stream().mapToDouble(Counter::count).sum();
    double migrations = registry.find("baton.migrations").counters().stream().mapToDouble(Counter::count).sum();
    return new Totals(Instant.now(), ttftCount, ttftMs, itlCount, itlMs, tokens, migrations);
  }

  /** Means over the interval; null where nothing happened (a chart shows a gap, not a zero latency). */
  private static ObjectNode point(Totals from, Totals to) {
    double seconds = Math.max(0.001, Duration.between(from.at(), to.at()).toMillis() / 1000.0);
    ObjectNode p = Json.MAPPER.createObjectNode();
    p.put("at", to.at().toString());
    long streams = to.ttftCount() - from.ttftCount();
    long gaps = to.itlCount() - from.itlCount();
    if (streams > 0) {
      p.put("ttft_ms", (to.ttftMs() - from.ttftMs()) / streams);
    } else {
      p.putNull("ttft_ms");
    }
    if (gaps > 0) {
      p.put("itl_ms", (to.itlMs() - from.itlMs()) / gaps);
    } else {
      p.putNull("itl_ms");
    }
    p.put("tokens_per_s", (to.tokens() - from.tokens()) / seconds);
    p.put("migrations_per_min", (to.migrations() - from.migrations()) * 60 / seconds);
    return p;
  }
}
