package io.baton.chaos;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.baton.persistence.BatonConfig;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The recovery bounds of invariant 5, derived from the configuration the nodes run with (the same
 * baton.conf, plus the suite's overrides), not typed in twice.
 *
 * <ul>
 *   <li>XID: 1 s from the XID to the resumed token (the bound).
 *   <li>Crash or pause of the node running the attempt: failure detection + 2 s. Detection is the
 *       heartbeat interval plus the acceptable heartbeat pause (500 ms + 2 s = 2.5 s): the phi
 *       detector flags a silent node about then.
 *   <li>Crash of the node hosting the entity: the entity can only restart elsewhere once the node is
 *       downed and the down-removal margin has passed, i.e. detection + the split brain resolver's
 *       stable-after (3 s) + the down-removal margin (2 s), + 2 s. A pause that
 *       ends before downing leaves the entity where it was: pause + 2 s.
 *   <li>Cassandra stalled or restarted: not bounded by the issue; the suite uses heal + the journal
 *       back-off maximum with its 20% jitter (entities restart after a journal failure with that
 *       back-off) + 2 s.
 *   <li>An attempt that fails while its GPU is slowed: lease + 2 s.
 *   <li>An engine server killed: 1 s, as an XID (its streams break at once). An XID line in the
 *       kernel log: 1 s + the watcher's file poll interval.
 * </ul>
 */
record Bounds(Duration heartbeatInterval, Duration acceptablePause, Duration stableAfter, Duration removalMargin,
    Duration journalBackoffMax, Duration lease, Duration decodePerToken, Duration kernelLogPoll) {

  static final long MARGIN_MS = 2000;
  static final long XID_MS = 1000;

  static Bounds from(Map<String, String> nodeConfig) {
    Config c = BatonConfig.load(ConfigFactory.parseMap(nodeConfig));
    return new Bounds(c.getDuration("pekko.cluster.failure-detector.heartbeat-interval"),
        c.getDuration("pekko.cluster.failure-detector.acceptable-heartbeat-pause"),
        c.getDuration("pekko.cluster.split-brain-resolver.stable-after"),
        removalMargin(c),
        c.getDuration("baton.actors.journal-backoff.max"),
        c.getDuration("baton.actors.session.lease"),
        c.getDuration("baton.workers.engine.timing.decode-per-token"),
        c.getDuration("baton.workers.kernel-log.file-poll-interval"));
  }

  /** How long an appended kernel-log line may wait for the watcher's next read. */
  long kernelLogPollMillis() {
    return kernelLogPoll.toMillis();
  }

  /** Pekko's down-removal-margin; "off" means the split brain resolver's stable-after. */
  private static Duration removalMargin(Config c) {
    String path = "pekko.cluster.down-removal-margin";
    return "off".equals(c.getString(path)) ? c.getDuration("pekko.cluster.split-brain-resolver.stable-after")
        : c.getDuration(path);
  }

  long detectionMillis() {
    return heartbeatInterval.toMillis() + acceptablePause.toMillis();
  }

  long nodeCrashMillis() {
    return detectionMillis() + MARGIN_MS;
  }

  /**
   * After downing, sharding waits the down-removal margin before it starts the crashed node's
   * shards elsewhere, so that on a partition the other side has surely stopped its copies: single
   * writer before speed.
   */
  long hostCrashMillis() {
    return detectionMillis() + stableAfter.toMillis() + removalMargin.toMillis() + MARGIN_MS;
  }

  /** The entities' restart back-off reaches max, then draws up to 20% more (the supervisors' random factor). */
  long journalMillis(long outageMillis) {
    return outageMillis + backoffMaxMillis() + MARGIN_MS;
  }

  private long backoffMaxMillis() {
    return journalBackoffMax.toMillis() * 6 / 5;
  }

  /** What the report prints beside the numbers. */
  Map<String, String> describe() {
    Map<String, String> out = new LinkedHashMap<>();
    out.put("failure-detection", String.format("%.1f s (heartbeat %d ms + acceptable pause %d ms)",
        detectionMillis() / 1000.0, heartbeatInterval.toMillis(), acceptablePause.toMillis()));
    out.put("sbr-stable-after", stableAfter.toMillis() + " ms");
    out.put("down-removal-margin", removalMargin.toMillis() + " ms");
    out.put("bound xid", XID_MS + " ms");
    out.put("bound worker-node crash", nodeCrashMillis() + " ms (detection + 2 s)");
    out.put("bound entity-host crash", "the downing as measured (nominally detection + stable-after) + the"
        + " down-removal margin + 2 s; nominally " + hostCrashMillis() + " ms");
    out.put("bound cassandra outage", "outage + " + (backoffMaxMillis() + MARGIN_MS)
        + " ms (journal back-off max with its 20% jitter + 2 s; not bounded by the issue)");
    out.put("lease", lease.toMillis() + " ms");
    out.put("decode-per-token", decodePerToken.toMillis() + " ms");
    return out;
  }
}
