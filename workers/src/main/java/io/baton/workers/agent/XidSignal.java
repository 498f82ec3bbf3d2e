package io.baton.workers.agent;

import io.baton.actors.CborSerializable;
import java.time.Instant;

/**
 * Whether this host's passive XID signal can be trusted, for /admin/workers: a GPU whose kernel log
 * nobody reads looks healthy whatever happens to it, and an operator must be able to tell.
 *
 * @param since when it entered this state (a stale signal keeps the time it first went stale)
 * @param reason why it is stale or off; null when live
 */
public record XidSignal(State state, Instant since, String reason) implements CborSerializable {

  public enum State { LIVE, STALE, OFF }

  public static final XidSignal OFF = new XidSignal(State.OFF, null,
      "no kernel-log watcher on this node (baton.workers.kernel-log.source = none)");
}
