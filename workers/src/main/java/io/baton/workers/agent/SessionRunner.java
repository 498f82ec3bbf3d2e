package io.baton.workers.agent;

import io.baton.actors.session.FailureCause;
import io.baton.actors.session.ResumeMethod;
import io.baton.actors.session.SessionCommand;
import io.baton.actors.session.SessionCommand.AppendTokens;
import io.baton.actors.session.SessionCommand.CheckpointKv;
import io.baton.actors.session.SessionCommand.FailAttempt;
import io.baton.actors.session.SessionCommand.Reply;
import io.baton.actors.session.SessionState;
import io.baton.persistence.kv.KvBlockStore;
import io.baton.workers.engine.Generation;
import io.baton.workers.engine.GenerationRequest;
import io.baton.workers.engine.InferenceEngine;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Drives one attempt of one session on one engine: builds the generation (fresh, recomputed or
 * restored from KV checkpoints), decodes one token per message so the actor stays responsive, and
 * streams the tokens to the session in chunks (DESIGN.md, "Chunking").
 *
 * <ul>
 *   <li>At most one {@link AppendTokens} is in flight; decoding continues into a buffer meanwhile.
 *       An unanswered chunk is resent unchanged (same fromIndex), which the session treats as an
 *       idempotent retry ({@link ChunkSender}).
 *   <li>KV checkpoints cover durable tokens only, and the blocks are written to the store before
 *       {@link CheckpointKv} is sent ({@link KvCheckpointer}).
 *   <li>A rejection for a stale attempt or an ended session stops the runner quietly: it is a fenced
 *       zombie. Engine failures are reported with {@link FailAttempt} after the tokens already
 *       decoded are made durable ({@link AttemptEnd}).
 *   <li>Nothing escapes the actor: every failure ends in a {@link RunnerEvent} and a stop.
 * </ul>
 *
 * <p>This class is the runner's public face: its messages and factories. The actor itself, with the
 * decoding loop and the flush policy, is {@link RunnerBehavior}.
 */
public final class SessionRunner {
  private SessionRunner() {}

  /** The runner's own messages; all local. */
  public sealed interface Command {}

  /** Stops the runner at once, e.g. because the agent migrates the session; nothing more is sent. */
  public record Stop() implements Command {}

  /** The session's entity restarted elsewhere: heartbeat and resend the chunk in flight now. */
  public record SessionMoved() implements Command {}

  // The rest are the runner's messages to itself, package-private for its collaborators.

  /** @param how what the resume plan chose, for the log */
  record Start(GenerationRequest request, String how) implements Command {}

  record DecodeStep() implements Command {}

  /** An engine that answers later (a remote server) started the generation, or failed to. */
  record Started(Generation generation, Throwable error) implements Command {}

  /** An engine that answers later produced the step asked for, or failed. */
  record Stepped(Generation.Step step, Throwable error) implements Command {}

  record FlushDue() implements Command {}

  /** Time to renew the attempt's lease: sent only while the runner's thread is free, so a hang stops it. */
  record HeartbeatDue() implements Command {}

  record AppendResult(long seq, Reply reply, Throwable error) implements Command {}

  record BlocksWritten(int uptoToken, List<String> hashes, Throwable error) implements Command {}

  record CheckpointResult(int uptoToken, List<String> hashes, Reply reply, Throwable error) implements Command {}

  /** The answer to Complete (cause null) or FailAttempt. */
  record EndResult(FailureCause cause, String finishReason, Reply reply, Throwable error) implements Command {}

  /**
   * @param session the session entity (a sharded EntityRef's actor, or a directly spawned Session in tests)
   * @param state the session as it was when this attempt was placed
   * @param store the KV block store; null disables checkpoints and restores
   * @param listener told how the attempt ended; may be null
   */
  public static Behavior<Command> create(
      RecipientRef<SessionCommand> session,
      SessionState state,
      int attempt,
      ResumeMethod method,
      InferenceEngine engine,
      KvBlockStore store,
      RunnerSettings settings,
      ActorRef<RunnerEvent> listener) {
    return create(session, state, attempt, method, engine, store, null, settings, listener);
  }

  /**
   * @param costModel decides whether a fresh session's prompt is restored from the store when
   *     other sessions stored its blocks; null: never
   */
  public static Behavior<Command> create(
      RecipientRef<SessionCommand> session,
      SessionState state,
      int attempt,
      ResumeMethod method,
      InferenceEngine engine,
      KvBlockStore store,
      ResumeCostModel costModel,
      RunnerSettings settings,
      ActorRef<RunnerEvent> listener) {
    return create(session, state, attempt, method, engine, store, costModel, settings, RunnerMetrics.NONE, listener);
  }

  /** @param metrics where the runner times the session's acknowledgements (journal write latency) */
  public static Behavior<Command> create(
      RecipientRef<SessionCommand> session,
      SessionState state,
      int attempt,
      ResumeMethod method,
      InferenceEngine engine,
      KvBlockStore store,
      ResumeCostModel costModel,
      RunnerSettings settings,
      RunnerMetrics metrics,
      ActorRef<RunnerEvent> listener) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      RunnerBehavior runner =
          new RunnerBehavior(ctx, timers, session, state, attempt, engine, store, settings, metrics, listener);
      runner.begin(state, method, store, costModel);
      return runner;
    }));
  }
}
