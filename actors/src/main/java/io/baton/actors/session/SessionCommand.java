package io.baton.actors.session;

import io.baton.actors.CborSerializable;
import io.baton.actors.Rejection;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;

/** What can be asked of a session. Every command gets a reply; a rejected one persists nothing. */
public sealed interface SessionCommand extends CborSerializable {

  /** A command that may change the session; each is answered with a {@link Reply}. */
  sealed interface Mutation extends SessionCommand {
    ActorRef<Reply> replyTo();
  }

  /** Creates the session. Repeating it with the same spec is acknowledged, for idempotent retries. */
  record Submit(SessionSpec spec, ActorRef<Reply> replyTo) implements Mutation {}

  /**
   * Hands the session to a GPU. {@code attempt} must be the next attempt number, so two placers
   * racing for the same session cannot both win.
   */
  record Place(int attempt, String workerId, ResumeMethod method, ActorRef<Reply> replyTo)
      implements Mutation {}

  /** A chunk of generated tokens; see the fencing and contiguity invariants in DESIGN.md. */
  record AppendTokens(int attempt, int fromIndex, List<Integer> tokens, ActorRef<Reply> replyTo)
      implements Mutation {
    public AppendTokens {
      tokens = List.copyOf(tokens);
    }
  }

  record CheckpointKv(int attempt, int uptoToken, List<String> blockHashes, ActorRef<Reply> replyTo)
      implements Mutation {
    public CheckpointKv {
      blockHashes = List.copyOf(blockHashes);
    }
  }

  record FailAttempt(int attempt, FailureCause cause, ActorRef<Reply> replyTo) implements Mutation {}

  record Complete(int attempt, String finishReason, ActorRef<Reply> replyTo) implements Mutation {}

  /** Ends the session as failed, e.g. a poison request; any worker's late writes are then fenced. */
  record Fail(String error, ActorRef<Reply> replyTo) implements Mutation {}

  record Cancel(String reason, ActorRef<Reply> replyTo) implements Mutation {}

  record GetState(ActorRef<SessionState> replyTo) implements SessionCommand {}

  /** Durable tokens from {@code fromIndex}: how a subscriber fills a gap after (re)subscribing. */
  record GetTokens(int fromIndex, ActorRef<TokenUpdate> replyTo) implements SessionCommand {}

  /** The entity's own timer: a pending session asks its node's placer again. Never sent by others. */
  record PlacementDue() implements SessionCommand {}

  /**
   * The entity's own timer: attempt {@code attempt} persisted nothing for the progress timeout.
   * {@code sinceRecovery} when the entity has seen nothing from the worker since it recovered, so
   * the worker may simply be gone with its node rather than hung.
   */
  record ProgressDue(int attempt, boolean sinceRecovery) implements SessionCommand {}

  /**
   * The entity's own timer after it started without a Submit (someone only looked it up): an
   * entity that is still unsubmitted, or ended, passivates rather than stay remembered.
   */
  record IdleCheck() implements SessionCommand {}

  /** The answer to a state-changing command. */
  sealed interface Reply extends CborSerializable {}

  /** The command took effect, or had already taken effect (an idempotent retry). */
  record Accepted(SessionStatus status, int attempt, int tokenCount) implements Reply {
    static Accepted of(SessionState s) {
      return new Accepted(s.status(), s.attempt(), s.tokenCount());
    }
  }

  record Rejected(Rejection rejection) implements Reply {}
}
