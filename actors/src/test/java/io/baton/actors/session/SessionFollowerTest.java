package io.baton.actors.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.baton.actors.session.SessionCommand.Reply;
import io.baton.actors.session.SessionFollower.Ended;
import io.baton.actors.session.SessionFollower.Event;
import io.baton.actors.session.SessionFollower.Lost;
import io.baton.actors.session.SessionFollower.Tokens;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A follower hands its reader every durable token once, in order, then how the session ended. */
class SessionFollowerTest extends SessionTestBase {
  ActorRef<SessionCommand> session;
  TestProbe<Reply> replies;

  @BeforeEach
  void liveSession() {
    session = testKit.spawn(Session.create(sessionId, settings));
    replies = testKit.createTestProbe();
  }

  private void send(Cmd command) {
    session.tell(command.apply(replies.ref()));
    assertInstanceOf(SessionCommand.Accepted.class, replies.receiveMessage());
  }

  /** Everything the reader got until the end, as tokens and the final event. */
  private static List<Integer> readToEnd(TestProbe<Event> reader, Ended[] end) {
    List<Integer> got = new ArrayList<>();
    while (true) {
      Event e = reader.receiveMessage(Duration.ofSeconds(10));
      if (e instanceof Tokens t) {
        assertEquals(got.size() + firstIndex(got, t), t.fromIndex(), "contiguous");
        got.addAll(t.tokens());
      } else {
        end[0] = assertInstanceOf(Ended.class, e);
        return got;
      }
    }
  }

  private static int firstIndex(List<Integer> got, Tokens t) {
    return got.isEmpty() ? t.fromIndex() : 0;
  }

  @Test
  void aReaderFromTheStartGetsEveryTokenOnceThenTheEnd() {
    send(submit(SPEC));
    send(place(1, "gpu-a", ResumeMethod.FRESH));
    TestProbe<Event> reader = testKit.createTestProbe();
    testKit.spawn(SessionFollower.create(sessionId, session, 0, reader.ref()));
    send(append(1, 0, tokens(0, 3)));
    send(append(1, 3, tokens(3, 4)));
    send(append(1, 3, tokens(3, 4))); // a retried chunk: acknowledged, not published again
    send(append(1, 7, tokens(7, 2)));
    send(complete(1, "length"));
    Ended[] end = new Ended[1];
    assertEquals(tokens(0, 9), readToEnd(reader, end));
    assertEquals(new Ended(SessionStatus.COMPLETED, "length", 9), end[0]);
  }

  @Test
  void aLateReaderStartsAtItsIndexAndAReaderOfAnEndedSessionGetsTheRest() {
    send(submit(SPEC));
    send(place(1, "gpu-a", ResumeMethod.FRESH));
    send(append(1, 0, tokens(0, 6)));
    TestProbe<Event> late = testKit.createTestProbe();
    testKit.spawn(SessionFollower.create(sessionId, session, 4, late.ref()));
    assertEquals(new Tokens(4, tokens(4, 2)), late.receiveMessage());
    send(append(1, 6, tokens(6, 1)));
    send(complete(1, "length"));
    Ended[] end = new Ended[1];
    assertEquals(tokens(6, 1), readToEnd(late, end));
    assertEquals(7, end[0].totalTokens());

    TestProbe<Event> afterwards = testKit.createTestProbe();
    testKit.spawn(SessionFollower.create(sessionId, session, 5, afterwards.ref()));
    assertEquals(new Tokens(5, tokens(5, 2)), afterwards.receiveMessage());
    assertEquals(new Ended(SessionStatus.COMPLETED, "length", 7), afterwards.receiveMessage());

    TestProbe<Event> beyond = testKit.createTestProbe();
    testKit.spawn(SessionFollower.create(sessionId, session, 50, beyond.ref()));
    assertEquals(new Ended(SessionStatus.COMPLETED, "length", 7), beyond.receiveMessage());
  }

  @Test
  void anUnknownSessionIsLost() {
    TestProbe<Event> reader = testKit.createTestProbe();
    testKit.spawn(SessionFollower.create(sessionId, session, 0, reader.ref()));
    assertInstanceOf(Lost.class, reader.receiveMessage());
  }
}
