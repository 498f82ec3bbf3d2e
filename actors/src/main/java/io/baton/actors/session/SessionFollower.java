package io.baton.actors.session;

import io.baton.actors.session.SessionCommand.Subscribe;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Follows one session's durable tokens from an index to its end, for one reader (an HTTP stream, a
 * chaos checker): every token exactly once, in order, without gaps, then how it ended. It
 * subscribes at the session entity, which sends each persisted chunk straight to it (DESIGN.md,
 * "Streaming"), and watches the entity: when that stops (passivated, restarted on another node) it
 * subscribes again from its last index through sharding. Only a follower that hears nothing for a
 * while asks on its own, as a guard against a lost message. It stops when the session ended, when
 * its reader stops, or when the session cannot be reached.
 */
public final class SessionFollower {

  /** What the reader receives. */
  public sealed interface Event {}

  /** Durable tokens; {@code fromIndex} is always the index after the previous event's last token. */
  public record Tokens(int fromIndex, List<Integer> tokens) implements Event {}

  /** The session ended after {@code totalTokens} tokens; {@code reason} is its finish reason, error or cancel reason. */
  public record Ended(SessionStatus status, String reason, int totalTokens) implements Event {}

  /** The session did not answer; the reader may retry from the last index it received. */
  public record Lost(String reason) implements Event {}

  /** The follower's own messages; nothing outside sends it any. */
  public sealed interface Command {}

  private record Update(TokenUpdate update) implements Command {}

  private record Answer(SessionCommand.Subscribed answer, Throwable error) implements Command {}

  private record Quiet() implements Command {}

  private record EntityStopped() implements Command {}

  private record ReaderGone() implements Command {}

  private static final Duration ASK_TIMEOUT = Duration.ofSeconds(5);
  /** Nothing heard for this long: ask, in case a chunk was lost on its way. Not the normal path. */
  private static final Duration QUIET = Duration.ofSeconds(2);
  private static final int MAX_UNANSWERED = 3;

  private SessionFollower() {}

  /**
   * @param session the session entity (a sharding EntityRef, or an ActorRef in tests)
   * @param fromIndex the first token index the reader wants
   */
  public static Behavior<Command> create(
      String sessionId, RecipientRef<SessionCommand> session, int fromIndex, ActorRef<Event> reader) {
    return Behaviors.<Command>setup(ctx -> Behaviors.withTimers(timers -> {
      ctx.watchWith(reader, new ReaderGone());
      ActorRef<TokenUpdate> inbox = ctx.messageAdapter(TokenUpdate.class, Update::new);
      State state = new State(ctx, session, reader, fromIndex, inbox);
      state.subscribe();
      timers.startTimerWithFixedDelay(new Quiet(), QUIET);
      return Behaviors.receive(Command.class)
          .onMessage(Update.class, m -> state.offer(m.update()))
          .onMessage(Answer.class, state::answered)
          .onMessage(Quiet.class, m -> state.quiet())
          .onMessage(EntityStopped.class, m -> state.entityStopped())
          .onMessage(ReaderGone.class, m -> Behaviors.stopped())
          .build();
    }));
  }

  /** Mutable, but only the follower's actor touches it. */
  private static final class State {
    private final ActorContext<Command> ctx;
    private final RecipientRef<SessionCommand> session;
    private final ActorRef<Event> reader;
    private final ActorRef<TokenUpdate> inbox;
    private int next;
    private int unanswered;
    private boolean heard;
    /** The entity incarnation this follower is subscribed at; watched, so its stop is noticed. */
    private ActorRef<SessionCommand> entity;

    State(ActorContext<Command> ctx, RecipientRef<SessionCommand> session, ActorRef<Event> reader, int next,
        ActorRef<TokenUpdate> inbox) {
      this.ctx = ctx;
      this.session = session;
      this.reader = reader;
      this.next = next;
      this.inbox = inbox;
    }

    /** Subscribes from the next index wanted: the answer fills the gap, later chunks follow. */
    void subscribe() {
      ctx.ask(SessionCommand.Subscribed.class, session, ASK_TIMEOUT, r -> new Subscribe(next, inbox, r),
          Answer::new);
    }

    Behavior<Command> answered(Answer m) {
      if (m.error() != null) {
        if (++unanswered >= MAX_UNANSWERED) {
          // The ask's own text names internal actor types; the client needs what to do next.
          ctx.getLog().info("session follower gave up after {} unanswered reads: {}", unanswered,
              m.error().toString());
          reader.tell(new Lost("the session did not answer " + unanswered + " reads of " + ASK_TIMEOUT.toSeconds()
              + " s each (the node hosting it may be down or cut off); resume with Last-Event-ID in a few seconds"));
          return Behaviors.stopped();
        }
        subscribe();
        return Behaviors.same();
      }
      unanswered = 0;
      if (m.answer().update().status() == SessionStatus.NEW) {
        reader.tell(new Lost("no such session"));
        return Behaviors.stopped();
      }
      watchEntity(m.answer().entity());
      return offer(m.answer().update());
    }

    Behavior<Command> offer(TokenUpdate u) {
      heard = true;
      if (u.fromIndex() > next) {
        subscribe(); // a gap: fetch what is missing from the journal-backed entity
        return Behaviors.same();
      }
      if (u.nextIndex() > next) {
        reader.tell(new Tokens(next, List.copyOf(u.tokens().subList(next - u.fromIndex(), u.tokens().size()))));
        next = u.nextIndex();
      }
      if (u.status().isTerminal() && u.fromIndex() <= next) {
        // A terminal update carries every token up to the end (Subscribe) or none, from the end
        // (the entity's last delivery); without a gap before it, the reader has everything.
        reader.tell(new Ended(u.status(), u.finishReason(), u.nextIndex()));
        return Behaviors.stopped();
      }
      return Behaviors.same();
    }

    private void watchEntity(ActorRef<SessionCommand> sender) {
      if (sender != null && !sender.equals(entity)) {
        if (entity != null) {
          ctx.unwatch(entity);
        }
        entity = sender;
        ctx.watchWith(entity, new EntityStopped());
      }
    }

    /** The entity stopped: its next incarnation (here or on another node) gets a new subscription. */
    Behavior<Command> entityStopped() {
      entity = null;
      subscribe();
      return Behaviors.same();
    }

    Behavior<Command> quiet() {
      if (!heard) {
        subscribe();
      }
      heard = false;
      return Behaviors.same();
    }
  }
}
