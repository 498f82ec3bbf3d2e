package io.baton.workers.agent;

import io.baton.actors.session.SessionCommand;
import io.baton.actors.session.SessionCommand.Reply;
import java.time.Duration;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.slf4j.Logger;

/**
 * One attempt's line to its session, shared by the {@link SessionRunner} and its collaborators.
 * Every command to the session is an ask with the same ack timeout: the answer (or the timeout) comes
 * back to the runner as one of its own messages, so each collaborator decides whether to resend.
 * Only used from inside the runner's actor, which owns the context.
 */
final class SessionLink {
  private final ActorContext<SessionRunner.Command> context;
  private final RecipientRef<SessionCommand> session;
  private final String sessionId;
  private final int attempt;
  private final Duration ackTimeout;
  private final RunnerMetrics metrics;
  private final String model;

  SessionLink(ActorContext<SessionRunner.Command> context, RecipientRef<SessionCommand> session, String sessionId,
      int attempt, Duration ackTimeout, RunnerMetrics metrics, String model) {
    this.context = context;
    this.session = session;
    this.sessionId = sessionId;
    this.attempt = attempt;
    this.ackTimeout = ackTimeout;
    this.metrics = metrics;
    this.model = model;
  }

  String sessionId() {
    return sessionId;
  }

  int attempt() {
    return attempt;
  }

  Logger log() {
    return context.getLog();
  }

  ActorContext<SessionRunner.Command> context() {
    return context;
  }

  /** The session acknowledged a chunk of tokens first sent at {@code sentNanos} ({@link System#nanoTime()}). */
  void appendAcknowledged(long sentNanos) {
    metrics.appendAcknowledged(model, System.nanoTime() - sentNanos);
  }

  /** The session acknowledged a KV checkpoint first sent at {@code sentNanos}. */
  void checkpointAcknowledged(long sentNanos) {
    metrics.checkpointAcknowledged(model, System.nanoTime() - sentNanos);
  }

  /** Sends {@code request} to the session; {@code result} turns the reply or the timeout into a runner message. */
  /** Renews the attempt's lease; fire and forget, the next one follows within the heartbeat interval. */
  void heartbeat() {
    session.tell(new SessionCommand.Heartbeat(attempt));
  }

  void ask(Function<ActorRef<Reply>, SessionCommand> request,
      BiFunction<Reply, Throwable, SessionRunner.Command> result) {
    context.ask(Reply.class, session, ackTimeout, request::apply, result::apply);
  }
}
