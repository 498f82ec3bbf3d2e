package io.baton.chaos;

import io.baton.chaos.report.InvariantResult;
import java.util.ArrayList;
import java.util.List;

/**
 * Invariant 1: every accepted session and every batch line reaches exactly one terminal state: its
 * view says completed, failed or cancelled, and its journal holds exactly one Completed, Failed or
 * Cancelled event. The batch itself must end too, with every line counted.
 */
final class TerminalOnce implements Invariant {
  @Override
  public InvariantResult check(Observations o) {
    List<String> problems = new ArrayList<>();
    int terminal = 0;
    for (SessionAudit s : o.sessions()) {
      if (!s.found()) {
        problems.add(s.sessionId() + ": no node can show it");
      } else if (!SessionAudit.TERMINAL_STATUSES.contains(s.status())) {
        problems.add(s.sessionId() + ": still " + s.status());
      } else if (s.terminalEvents() != 1) {
        problems.add(s.sessionId() + ": " + s.terminalEvents() + " terminal events in the journal");
      } else {
        terminal++;
      }
    }
    BatchClient.BatchLog b = o.batch();
    String batch = "no batch";
    if (b != null) {
      if (!b.created()) {
        problems.add("batch: " + b.detail());
      } else if (!BatchClient.terminal(b.status())) {
        problems.add("batch " + b.batchId() + ": still " + b.status());
      } else if (b.completed() + b.failed() != b.total()) {
        problems.add("batch " + b.batchId() + ": " + b.completed() + " completed + " + b.failed() + " failed != "
            + b.total() + " lines");
      }
      batch = "batch " + b.status() + " (" + b.completed() + "/" + b.total() + " completed)";
    }
    long notAccepted = o.streams().stream().filter(s -> !s.accepted()).count();
    String counted = terminal + "/" + o.sessions().size() + " sessions with one terminal event; " + batch
        + (notAccepted > 0 ? "; " + notAccepted + " requests never accepted (not counted)" : "");
    return new InvariantResult(1, "exactly one terminal state", problems.isEmpty(),
        problems.isEmpty() ? counted : counted + ". " + problems.size() + " problems: " + Invariant.some(problems));
  }
}
