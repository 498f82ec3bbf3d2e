package io.baton.actors.session;

import io.baton.actors.session.SessionCommand.GetTokens;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;

/**
 * Follows one session's durable tokens from an index to its end, for one reader (an HTTP stream, a
 * chaos checker): every token exactly once, in order, without gaps, then how it ended. It listens on
 * the session's topic and fills any gap with {@link GetTokens}, so it survives lost messages, the
 * session moving to another node and the reader joining late (DESIGN.md, "Streaming"). It stops when
 * the session ended, when its reader stops, or when the session cannot be reached.
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

  private record Answer(TokenUpdate update, Throwable error) implements Command {}

  private record Poll() implements Command {}

  private record ReaderGone() implements Command {}

  private static final Duration ASK_TIMEOUT = Duration.ofSeconds(5);
  /**
   * Asks for the tokens after the last one seen when nothing arrived for this long: a lost publish
   * must not stall a reader. Until the topic has delivered anything, it asks often: a new topic
   * subscription takes the cluster receptionist a while (seconds) to reach the publisher, and a
   * reader must not wait that long for its first token.
   */
  private static final Duration QUIET_POLL = Duration.ofSeconds(1);
  private static final Duration EARLY_POLL = Duration.ofMillis(50);
  private static final int MAX_UNANSWERED = 3;

  private SessionFollower() {}

  /**
   * @param session the session entity (a sharding EntityRef, or an ActorRef in tests)
   * @param fromIndex the first token index the reader wants
   */
  public static Behavior<Command> create(
      String sessionId, RecipientRef<SessionCommand> session, int fromIndex, ActorRef<Event> reader) {
    return Behaviors.<Command>setup(ctx -> {
      ActorRef<Topic.Command<TokenUpdate>> topic =
          ctx.spawn(Topic.create(TokenUpdate.class, TokenUpdate.topicName(sessionId)), "tokens");
      topic.tell(Topic.subscribe(ctx.messageAdapter(TokenUpdate.class, Update::new)));
      ctx.watchWith(reader, new ReaderGone());
      State state = new State(ctx, session, reader, fromIndex);
      state.ask();
      return Behaviors.withTimers(timers -> {
        timers.startTimerWithFixedDelay(new Poll(), EARLY_POLL);
        boolean[] topicWorks = {false};
        return Behaviors.receive(Command.class)
            .onMessage(Update.class, m -> {
              if (!topicWorks[0]) {
                topicWorks[0] = true;
                timers.startTimerWithFixedDelay(new Poll(), QUIET_POLL);
              }
              return state.offer(m.update());
            })
            .onMessage(Answer.class, state::answered)
            .onMessage(Poll.class, m -> state.poll())
            .onMessage(ReaderGone.class, m -> Behaviors.stopped())
            .build();
      });
    });
  }

  /** Mutable, but only the follower's actor touches it. */
  private static final class State {
    private final ActorContext<Command> ctx;
    private final RecipientRef<SessionCommand> session;
    private final ActorRef<Event> reader;
    private int next;
    private int unanswered;
    private boolean heardSincePoll;

    State(ActorContext<Command> ctx, RecipientRef<SessionCommand> session, ActorRef<Event> reader, int next) {
      this.ctx = ctx;
      this.session = session;
      this.reader = reader;
      this.next = next;
    }

    void ask() {
      ctx.ask(TokenUpdate.class, session, ASK_TIMEOUT, r -> new GetTokens(next, r), Answer::new);
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
        ask();
        return Behaviors.same();
      }
      unanswered = 0;
      if (m.update().status() == SessionStatus.NEW) {
        reader.tell(new Lost("no such session"));
        return Behaviors.stopped();
      }
      return offer(m.update());
    }

    Behavior<Command> offer(TokenUpdate u) {
      heardSincePoll = true;
      if (u.fromIndex() > next) {
        ask(); // a gap: fetch what is missing from the journal-backed entity
        return Behaviors.same();
      }
      if (u.nextIndex() > next) {
        reader.tell(new Tokens(next, List.copyOf(u.tokens().subList(next - u.fromIndex(), u.tokens().size()))));
        next = u.nextIndex();
      }
      if (u.status().isTerminal() && u.fromIndex() <= next) {
        // A terminal update carries every token up to the end (GetTokens) or none, from the end
        // (the topic's last one); without a gap before it, the reader has everything.
        reader.tell(new Ended(u.status(), u.finishReason(), u.nextIndex()));
        return Behaviors.stopped();
      }
      return Behaviors.same();
    }

    Behavior<Command> poll() {
      if (!heardSincePoll) {
        ask();
      }
      heardSincePoll = false;
      return Behaviors.same();
    }
  }
}
