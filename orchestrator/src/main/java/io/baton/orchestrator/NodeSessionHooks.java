package io.baton.orchestrator;

import io.baton.actors.feed.FeedEvents;
import io.baton.actors.session.SessionEvent;
import io.baton.orchestrator.feed.FeedPublisher;
import java.util.List;

import io.baton.actors.queue.AdmissionQueue;
import io.baton.actors.queue.QueueCommand;
import io.baton.actors.queue.QueueSettings;
import io.baton.actors.session.Attempt;
import io.baton.actors.session.ServiceClass;
import io.baton.actors.session.SessionSpec;
import io.baton.actors.session.Grant;
import io.baton.actors.session.SessionCommand;
import io.baton.actors.session.SessionHooks;
import io.baton.actors.session.SessionState;
import io.baton.actors.session.SessionStatus;
import io.baton.orchestrator.fleet.NodeLossWatch;
import io.baton.orchestrator.placement.Placer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/**
 * What the session entities on this node ask of it: placement and the suspect mark go to its
 * placer, granted attempts to its node-loss watch (which hints them if their GPU's node is lost),
 * and status changes to the
 * {@code baton.sessions.live} gauges (sessions by state, as this node hosts them).
 */
final class NodeSessionHooks implements SessionHooks {
  private final FeedPublisher feed;
  private final ActorRef<Placer.Command> placer;
  private final ActorRef<NodeLossWatch.Command> nodeWatch;
  private final Map<SessionStatus, AtomicInteger> live = new EnumMap<>(SessionStatus.class);
  private final ClusterSharding sharding;
  private final QueueSettings queues;
  private final MeterRegistry metrics;

  NodeSessionHooks(ActorRef<Placer.Command> placer, ActorRef<NodeLossWatch.Command> nodeWatch, MeterRegistry metrics,
      ClusterSharding sharding, QueueSettings queues, FeedPublisher feed) {
    this.feed = feed;
    this.placer = placer;
    this.nodeWatch = nodeWatch;
    this.sharding = sharding;
    this.queues = queues;
    this.metrics = metrics;
    for (SessionStatus status : SessionStatus.values()) {
      AtomicInteger count = new AtomicInteger();
      live.put(status, count);
      Gauge.builder("baton.sessions.live", count, AtomicInteger::get)
          .description("Session entities this node hosts now, by status (ended ones stay until they passivate)")
          .tag("status", status.name().toLowerCase(Locale.ROOT))
          .register(metrics);
    }
  }

  @Override
  public void recorded(List<SessionEvent> events, SessionState after) {
    feed.publishAll(FeedEvents.ofSession(events, after));
    int tokens = 0;
    for (SessionEvent e : events) {
      if (e instanceof SessionEvent.TokensAppended t) {
        tokens += t.tokens().size();
      }
    }
    if (tokens > 0) {
      // Durable tokens, streamed or not: the console's tokens per second, and the fleet's in Grafana.
      Counter.builder("baton.tokens.generated").description("Tokens persisted by the sessions this node hosts, by model")
          .tag("model", after.spec().model()).register(metrics).increment(tokens);
    }
  }

  @Override
  public void needsPlacement(SessionState state, ActorRef<SessionCommand> replyTo) {
    placer.tell(new Placer.Place(state, replyTo));
  }

  @Override
  public void placeAdmitted(SessionState state, ActorRef<SessionCommand> replyTo) {
    placer.tell(new Placer.Place(state, true, replyTo));
  }

  /**
   * Tells the model's queue the session waits, charged its remaining output bound plus, before its
   * first token, its prompt at the configured fraction; one whose last attempt failed (preempted,
   * or a fault) is resuming and goes first within its class.
   */
  @Override
  public void waitForRoom(SessionState s) {
    SessionSpec spec = s.spec();
    long cost = Math.max(0, spec.maxTokens() - s.tokenCount())
        + (s.tokenCount() == 0 ? Math.round(queues.promptFraction() * spec.promptTokens().size()) : 0);
    queue(spec.model()).tell(new QueueCommand.Wait(spec.model(), s.sessionId(), spec.tenant(), spec.priority(), cost,
        s.resuming(), s.queuedAt() != null ? s.queuedAt() : Instant.now()));
  }

  @Override
  public void leftQueue(SessionState s, String why) {
    queue(s.spec().model()).tell(new QueueCommand.Leave(s.spec().model(), s.sessionId(), why));
  }

  @Override
  public void placedAfterWaiting(SessionState s, Duration waited) {
    Timer.builder("baton.queue.wait")
        .description("How long sessions placed after waiting in an admission queue waited, by model, class and tenant")
        .tags("model", s.spec().model(), "class", ServiceClass.ofRank(s.spec().priority()).wireName(),
            "tenant", s.spec().tenant())
        .register(metrics).record(waited);
  }

  @Override
  public void preempted(SessionState s) {
    metrics.counter("baton.preemptions", "class", ServiceClass.ofRank(s.spec().priority()).wireName()).increment();
  }

  private EntityRef<QueueCommand> queue(String model) {
    return sharding.entityRefFor(AdmissionQueue.ENTITY_KEY, model);
  }

  @Override
  public boolean placesOnSubmit() {
    return true;
  }

  @Override
  public void attemptGranted(String sessionId, Attempt attempt, ActorRef<Grant> agent,
      ActorRef<SessionCommand> session) {
    nodeWatch.tell(new NodeLossWatch.Granted(agent.path().address(), sessionId, attempt.number(),
        attempt.workerId(), session));
  }

  @Override
  public void attemptRecovered(String sessionId, Attempt attempt, ActorRef<SessionCommand> session) {
    nodeWatch.tell(new NodeLossWatch.Recovered(sessionId, attempt.number(), attempt.workerId(), session));
  }

  @Override
  public void attemptEnded(String sessionId) {
    nodeWatch.tell(new NodeLossWatch.Ended(sessionId));
  }

  @Override
  public void attemptTimedOut(SessionState state, Attempt attempt) {
    placer.tell(new Placer.AttemptTimedOut(state, attempt));
  }

  @Override
  public void statusChanged(SessionStatus from, SessionStatus to) {
    if (from != null) {
      live.get(from).decrementAndGet();
    }
    if (to != null) {
      live.get(to).incrementAndGet();
    }
  }
}
