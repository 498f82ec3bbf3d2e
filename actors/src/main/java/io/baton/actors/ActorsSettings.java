package io.baton.actors;

import com.typesafe.config.Config;
import java.time.Duration;

/** The actors module's settings, read from {@code baton.actors}. */
public record ActorsSettings(
    int snapshotEvery,
    int keepSnapshots,
    Duration journalBackoffMin,
    Duration journalBackoffMax,
    int numberOfShards) {

  public static ActorsSettings fromConfig(Config root) {
    Config c = root.getConfig("baton.actors");
    return new ActorsSettings(
        c.getInt("snapshot-every"),
        c.getInt("keep-snapshots"),
        c.getDuration("journal-backoff.min"),
        c.getDuration("journal-backoff.max"),
        c.getInt("number-of-shards"));
  }
}
