package io.baton.actors;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * The actors module's settings, read from {@code baton.actors}.
 *
 * @param lease a running attempt with no acknowledged chunk and no runner heartbeat for this long
 *     fails (LEASE_EXPIRED) and the session is placed again (DESIGN.md, detection path 3)
 * @param grantWindow how long a granted attempt, or one the entity finds running when it recovers,
 *     waits for its runner's first heartbeat before it is given up: the agent may never have had
 *     the grant, or may be gone with its node
 * @param offerTimeout how long a new session waits for its node's placer before it is recorded
 *     without a placement (and then waits in the pending state)
 * @param placementRetry how often a pending session asks again for a GPU while none has taken it
 */
public record ActorsSettings(
    int snapshotEvery,
    int keepSnapshots,
    Duration journalBackoffMin,
    Duration journalBackoffMax,
    int numberOfShards,
    Duration lease,
    Duration grantWindow,
    Duration offerTimeout,
    Duration placementRetry) {

  public ActorsSettings {
    Timing.require(grantWindow.compareTo(lease) <= 0, "baton.actors.session.grant-window (" + grantWindow.toMillis()
        + " ms) must not exceed baton.actors.session.lease (" + lease.toMillis() + " ms)");
    Timing.require(offerTimeout.compareTo(grantWindow) < 0, "baton.actors.session.offer-timeout ("
        + offerTimeout.toMillis() + " ms) must be shorter than baton.actors.session.grant-window ("
        + grantWindow.toMillis() + " ms)");
    Timing.require(placementRetry.compareTo(lease) < 0, "baton.actors.session.placement-retry ("
        + placementRetry.toMillis() + " ms) must be shorter than baton.actors.session.lease (" + lease.toMillis()
        + " ms)");
  }

  public static ActorsSettings fromConfig(Config root) {
    Config c = root.getConfig("baton.actors");
    return new ActorsSettings(
        c.getInt("snapshot-every"),
        c.getInt("keep-snapshots"),
        c.getDuration("journal-backoff.min"),
        c.getDuration("journal-backoff.max"),
        c.getInt("number-of-shards"),
        c.getDuration("session.lease"),
        c.getDuration("session.grant-window"),
        c.getDuration("session.offer-timeout"),
        c.getDuration("session.placement-retry"));
  }

  public ActorsSettings withSnapshotEvery(int every) {
    return new ActorsSettings(every, keepSnapshots, journalBackoffMin, journalBackoffMax, numberOfShards,
        lease, grantWindow, offerTimeout, placementRetry);
  }

  /** The same settings with another lease; the grant window shrinks with it when it would exceed it. */
  public ActorsSettings withLease(Duration newLease) {
    return withLease(newLease, grantWindow.compareTo(newLease) > 0 ? newLease : grantWindow);
  }

  public ActorsSettings withLease(Duration newLease, Duration window) {
    return new ActorsSettings(snapshotEvery, keepSnapshots, journalBackoffMin, journalBackoffMax, numberOfShards,
        newLease, window, offerTimeout.compareTo(window) < 0 ? offerTimeout : window.dividedBy(2), placementRetry);
  }
}
