package io.baton.actors.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.baton.actors.session.SessionFollower;
import io.baton.actors.session.SessionStatus;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** One element at a time to the stream; what the client has not taken yet waits merged into one chunk. */
class FollowerBridgeTest {
  static final ActorTestKit KIT = ActorTestKit.create();

  @AfterAll
  static void stop() {
    KIT.shutdownTestKit();
  }

  @Test
  void chunksWaitingForTheStreamAreMergedAndTheEndComesLast() {
    ActorRef<Object> bridge = KIT.spawn(FollowerBridge.create());
    TestProbe<SessionFollower.Event> stream = KIT.createTestProbe();
    bridge.tell(new SessionFollower.Tokens(0, List.of(1, 2))); // before the stream is there
    bridge.tell(new FollowerBridge.Attach(stream.getRef()));
    assertEquals(new SessionFollower.Tokens(0, List.of(1, 2)), stream.receiveMessage());

    // Not acknowledged yet: these wait, and the end waits behind them.
    bridge.tell(new SessionFollower.Tokens(2, List.of(3)));
    bridge.tell(new SessionFollower.Tokens(3, List.of(4, 5)));
    bridge.tell(new SessionFollower.Ended(SessionStatus.COMPLETED, "length", 5));
    bridge.tell(FollowerBridge.Ack.INSTANCE);
    assertEquals(new SessionFollower.Tokens(2, List.of(3, 4, 5)), stream.receiveMessage());
    bridge.tell(FollowerBridge.Ack.INSTANCE);
    assertEquals(new SessionFollower.Ended(SessionStatus.COMPLETED, "length", 5), stream.receiveMessage());

    stream.stop();
    TestProbe<Object> watcher = KIT.createTestProbe();
    watcher.expectTerminated(bridge);
  }
}
