package io.baton.bench;

import io.baton.actors.session.SessionCommand;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntFunction;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Plays a worker streaming one session: it sends the next chunk when the previous one is acked,
 * with itself as the reply address, as the worker agent does (no ask, no temporary actor).
 */
final class ChunkWriter {
  private ChunkWriter() {}

  static Behavior<SessionCommand.Reply> create(ActorRef<SessionCommand> session, int chunks, int chunkTokens,
      IntFunction<List<Integer>> tokensFrom, CompletableFuture<Void> done) {
    return Behaviors.setup(ctx -> {
      session.tell(new SessionCommand.AppendTokens(1, 0, tokensFrom.apply(0), ctx.getSelf()));
      return writing(ctx.getSelf(), session, 1, chunks, chunkTokens, tokensFrom, done);
    });
  }

  private static Behavior<SessionCommand.Reply> writing(ActorRef<SessionCommand.Reply> self,
      ActorRef<SessionCommand> session, int next, int chunks,
      int chunkTokens, IntFunction<List<Integer>> tokensFrom, CompletableFuture<Void> done) {
    return Behaviors.receive(SessionCommand.Reply.class)
        .onMessage(SessionCommand.Rejected.class, r -> {
          done.completeExceptionally(new IllegalStateException("chunk rejected: " + r.rejection()));
          return Behaviors.stopped();
        })
        .onMessage(SessionCommand.Accepted.class, a -> {
          if (next == chunks) {
            done.complete(null);
            return Behaviors.stopped();
          }
          int from = next * chunkTokens;
          session.tell(new SessionCommand.AppendTokens(1, from, tokensFrom.apply(from), self));
          return writing(self, session, next + 1, chunks, chunkTokens, tokensFrom, done);
        })
        .build();
  }
}
