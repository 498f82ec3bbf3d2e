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

  /**
   * A chunk of generated tokens; see the fencing and contiguity invariants in DESIGN.md.
   *
   * @param reusedTokens on an attempt's first chunk, the prompt tokens its prefill reused rather
   *     than computed; 0 on the others
   */
  record AppendTokens(int attempt, int fromIndex, List<Integer> tokens, int reusedTokens, ActorRef<Reply> replyTo)
      implements Mutation {
    public AppendTokens {
      tokens = List.copyOf(tokens);
    }

    public AppendTokens(int attempt, int fromIndex, List<Integer> tokens, ActorRef<Reply> replyTo) {
      this(attempt, fromIndex, tokens, 0, replyTo);
    }
  }

  record CheckpointKv(int attempt, int uptoToken, List<String> blockHashes, ActorRef<Reply> replyTo)
      implements Mutation {
    public CheckpointKv {
      blockHashes = List.copyOf(blockHashes);
    }
  }

  /** The worker running {@code attempt} reports that it ended early; answered so it can stop resending. */
  record FailAttempt(int attempt, FailureCause cause, ActorRef<Reply> replyTo) implements Mutation {}

  // --- the attempt protocol (DESIGN.md, "Attempts: the session decides") ------------------------

  /**
   * A placer's answer to the session's request for a GPU: the candidates for attempt
   * {@code attempt}, best first; empty when none has room. The session grants the first and keeps
   * the rest for a refusal.
   */
  record Offer(int attempt, List<Candidate> candidates) implements SessionCommand {
    public Offer {
      candidates = List.copyOf(candidates);
    }
  }

  /** One GPU a placer offers, the method it would resume with, and where its agent takes grants. */
  record Candidate(String gpuId, ResumeMethod method, ActorRef<Grant> agent) implements CborSerializable {}

  /**
   * The model's admission queue says a GPU has room for this waiting session now: it asks its
   * placer at once, and the placer no longer holds it back for the others waiting.
   */
  record Admit() implements SessionCommand {}

  /** The GPU's agent will not run the granted attempt (full, leaving rotation): try the next candidate now. */
  record GrantRefused(int attempt, String gpuId, String reason) implements SessionCommand {}

  /** The runner of {@code attempt} is alive and making progress: renews the attempt's lease. */
  record Heartbeat(int attempt) implements SessionCommand {}

  /**
   * Evidence from outside the attempt (an XID, a lost node, a crashed run) that {@code attempt} on
   * {@code gpuId} cannot go on. The session acts on it at once when it names the running attempt
   * on that GPU, and ignores it otherwise: it never fails an attempt behind the session's back.
   */
  record Hint(int attempt, String gpuId, FailureCause cause) implements SessionCommand {}

  /**
   * A reader wants the durable tokens from {@code fromIndex} and every later chunk as it is
   * persisted. Answered at once with the tokens so far; the entity then tells {@code follower}
   * each new chunk until the session ends or the follower stops.
   */
  record Subscribe(int fromIndex, ActorRef<TokenUpdate> follower, ActorRef<Subscribed> replyTo)
      implements SessionCommand {}

  /**
   * The answer to Subscribe: the tokens so far, and the entity incarnation that will deliver the
   * rest. A follower watches it and subscribes again when it stops (passivated, moved, crashed).
   */
  record Subscribed(TokenUpdate update, ActorRef<SessionCommand> entity) implements CborSerializable {}

  record Complete(int attempt, String finishReason, ActorRef<Reply> replyTo) implements Mutation {}

  /** Ends the session as failed, e.g. a poison request; any worker's late writes are then fenced. */
  record Fail(String error, ActorRef<Reply> replyTo) implements Mutation {}

  record Cancel(String reason, ActorRef<Reply> replyTo) implements Mutation {}

  /** Forgets the session for its client (cancelling it first if it runs); repeating it is acknowledged. */
  record Erase(String reason, ActorRef<Reply> replyTo) implements Mutation {}

  record GetState(ActorRef<SessionState> replyTo) implements SessionCommand {}

  /** Durable tokens from {@code fromIndex}: how a subscriber fills a gap after (re)subscribing. */
  record GetTokens(int fromIndex, ActorRef<TokenUpdate> replyTo) implements SessionCommand {}

  /** The entity's own timer: a pending session asks its node's placer again. Never sent by others. */
  record PlacementDue() implements SessionCommand {}

  /** The entity's own timer: a new session waited long enough for an offer and is recorded without one. */
  record OfferDue() implements SessionCommand {}

  /**
   * The entity's own timer: the lease of attempt {@code attempt} ran out. {@code unconfirmed} when
   * no runner has confirmed it since it was granted or since the entity recovered, so the worker
   * may never have had it or be gone with its node, rather than hung.
   */
  record LeaseDue(int attempt, boolean unconfirmed) implements SessionCommand {}

  /** A subscribed follower stopped (its reader left, or its node did). */
  record FollowerGone(ActorRef<TokenUpdate> follower) implements SessionCommand {}

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
