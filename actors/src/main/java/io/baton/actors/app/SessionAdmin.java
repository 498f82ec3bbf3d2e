package io.baton.actors.app;

import io.baton.actors.session.FailureCause;
import io.baton.actors.session.Session;
import io.baton.actors.session.SessionCommand;
import io.baton.actors.session.SessionState;
import io.baton.actors.session.SessionStatus;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/** What an operator may do to any session, whoever's it is. */
public final class SessionAdmin {
  private final ActorSystem<?> system;
  private final SessionService sessions;

  public SessionAdmin(ActorSystem<?> system, SessionService sessions) {
    this.system = system;
    this.sessions = sessions;
  }

  /**
   * Ends the session's running attempt as {@code PREEMPTED}, a hint the session acts on at once: it
   * resumes on another GPU, token-exact, keeping its tokens and checkpoint; neither the session
   * (poison) nor the GPU (suspect) is blamed. Answers the session as it was before the hint.
   */
  public CompletionStage<Result<SessionState>> preempt(String id, String reason) {
    if (!SessionIds.wellFormed(id)) {
      return CompletableFuture.completedFuture(Result.refused(SessionService.notFound(id, "session", "id")));
    }
    return sessions.state(id).handle((s, error) -> {
      if (error != null) {
        return Result.refused(Refusal.unavailable("the cluster did not answer in time; retry"));
      }
      if (s.status() == SessionStatus.NEW) {
        return Result.refused(SessionService.notFound(id, "session", "id"));
      }
      if (!s.status().isRunning()) {
        return Result.refused(new Refusal(Refusal.Kind.CONFLICT, "session " + id + " is "
            + s.status().name().toLowerCase() + "; only a session running on a GPU can be preempted", null,
            "not_running"));
      }
      ClusterSharding.get(system).entityRefFor(Session.ENTITY_KEY, id).tell(new SessionCommand.Hint(s.attempt(),
          s.currentAttempt().workerId(), FailureCause.of(FailureCause.Kind.PREEMPTED, reason)));
      return Result.ok(s);
    });
  }
}
