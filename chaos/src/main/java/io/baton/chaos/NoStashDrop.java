package io.baton.chaos;

import io.baton.chaos.report.InvariantResult;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Invariant 4: no command is dropped from a stash. The nodes run with
 * {@code pekko.persistence.typed.stash-overflow-strategy = fail}, so an overflow fails the entity
 * loudly (StashOverflowException) instead of publishing a Dropped message; either trace, and
 * Pekko's "Stash buffer is full, dropping message" of the drop strategy, is searched for in the
 * node logs written during the scenario.
 */
final class NoStashDrop implements Invariant {
  /** Not "dropping message" alone: Artery logs that for every message to a quarantined (killed) node. */
  static final Pattern STASH = Pattern.compile(
      "StashOverflowException|Stash buffer is full|stash buffer.*(full|overflow|exceed)|Dropped\\(.*stash",
      Pattern.CASE_INSENSITIVE);

  @Override
  public InvariantResult check(Observations o) {
    List<String> hits = NodeLogs.matching(o.nodeLogs(), STASH);
    long lines = o.nodeLogs().values().stream().mapToLong(t -> t.lines().count()).sum();
    String counted = lines + " node log lines searched (stash-overflow-strategy = fail)";
    return new InvariantResult(4, "no command dropped from a stash", hits.isEmpty(),
        hits.isEmpty() ? counted + ": no stash overflow" : counted + ". " + hits.size() + " stash overflows: "
            + Invariant.some(hits));
  }
}
