package io.baton.actors;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * The actors module's settings, read from {@code baton.actors}.
 *
 * @param progressTimeout a running session that persists nothing for this long fails its attempt
 *     and is placed again (DESIGN.md, detection path 2)
 * @param placementRetry how often a pending session asks again for a GPU while none has taken it
 */
public record ActorsSettings(
    int snapshotEvery,
    int keepSnapshots,
    Duration journalBackoffMin,
    Duration journalBackoffMax,
    int numberOfShards,
    Duration progressTimeout,
    Duration placementRetry) {

  public static ActorsSettings fromConfig(Config root) {
    Config c = root.getConfig("baton.actors");
    return new ActorsSettings(
        c.getInt("snapshot-every"),
        c.getInt("keep-snapshots"),
        c.getDuration("journal-backoff.min"),
        c.getDuration("journal-backoff.max"),
        c.getInt("number-of-shards"),
        c.getDuration("session.progress-timeout"),
        c.getDuration("session.placement-retry"));
  }

  public ActorsSettings withSnapshotEvery(int every) {
    return new ActorsSettings(every, keepSnapshots, journalBackoffMin, journalBackoffMax, numberOfShards,
        progressTimeout, placementRetry);
  }

  public ActorsSettings withProgressTimeout(Duration timeout) {
    return new ActorsSettings(snapshotEvery, keepSnapshots, journalBackoffMin, journalBackoffMax, numberOfShards,
        timeout, placementRetry);
  }
}
