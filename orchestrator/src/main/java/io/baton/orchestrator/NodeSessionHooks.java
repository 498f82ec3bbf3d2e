package io.baton.orchestrator;

import io.baton.actors.session.Attempt;
import io.baton.actors.session.Grant;
import io.baton.actors.session.SessionCommand;
import io.baton.actors.session.SessionHooks;
import io.baton.actors.session.SessionState;
import io.baton.actors.session.SessionStatus;
import io.baton.orchestrator.fleet.NodeLossWatch;
import io.baton.orchestrator.placement.Placer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * What the session entities on this node ask of it: placement and the suspect mark go to its
 * placer, granted attempts to its node-loss watch (which hints them if their GPU's node is lost),
 * and status changes to the
 * {@code baton.sessions.live} gauges (sessions by state, as this node hosts them).
 */
final class NodeSessionHooks implements SessionHooks {
  private final ActorRef<Placer.Command> placer;
  private final ActorRef<NodeLossWatch.Command> nodeWatch;
  private final Map<SessionStatus, AtomicInteger> live = new EnumMap<>(SessionStatus.class);

  NodeSessionHooks(ActorRef<Placer.Command> placer, ActorRef<NodeLossWatch.Command> nodeWatch, MeterRegistry metrics) {
    this.placer = placer;
    this.nodeWatch = nodeWatch;
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
  public void needsPlacement(SessionState state, ActorRef<SessionCommand> replyTo) {
    placer.tell(new Placer.Place(state, replyTo));
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
