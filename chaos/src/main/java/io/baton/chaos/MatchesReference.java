package io.baton.chaos;

import io.baton.chaos.report.InvariantResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Invariant 2: every completed session's tokens equal its fault-free reference, computed before the
 * run. Checked three ways: the session's durable text replayed from token 0, the text its client
 * stitched across reconnects, and, for batch lines, the output file.
 */
final class MatchesReference implements Invariant {
  @Override
  public InvariantResult check(Observations o) {
    List<String> problems = new ArrayList<>();
    int checked = 0;
    for (SessionAudit s : o.sessions()) {
      if (!"completed".equals(s.status())) {
        continue;
      }
      checked++;
      String reference = o.references().get(s.key());
      if (s.replayText() == null) {
        problems.add(s.sessionId() + ": its text could not be replayed");
      } else if (!s.replayText().equals(reference)) {
        problems.add(s.sessionId() + " (" + s.key() + "): durable text differs from the reference at char "
            + firstDifference(s.replayText(), reference));
      }
    }
    for (StreamLog log : o.streams()) {
      if (log.outcome() == StreamLog.Outcome.FINISHED) {
        String reference = o.references().get(References.completionKey(log.index()));
        if (!log.stitchedText().equals(reference)) {
          problems.add(log.sessionId() + ": the client's stitched text differs from the reference at char "
              + firstDifference(log.stitchedText(), reference));
        }
      }
    }
    BatchClient.BatchLog b = o.batch();
    int lines = 0;
    if (b != null && b.created()) {
      for (Map.Entry<String, String> out : b.outputs().entrySet()) {
        int line = Integer.parseInt(out.getKey().substring(out.getKey().lastIndexOf('-') + 1));
        lines++;
        if (!out.getValue().equals(o.references().get(References.batchKey(line)))) {
          problems.add("batch line " + out.getKey() + ": output differs from the reference");
        }
      }
    }
    String counted = checked + " completed sessions and " + lines + " batch output lines compared";
    return new InvariantResult(2, "tokens equal the fault-free reference", problems.isEmpty() && checked > 0,
        problems.isEmpty() ? (checked > 0 ? counted : "no session completed: nothing was compared")
            : counted + ". " + problems.size() + " mismatches: " + Invariant.some(problems));
  }

  static int firstDifference(String a, String b) {
    if (b == null) {
      return 0;
    }
    int n = Math.min(a.length(), b.length());
    for (int i = 0; i < n; i++) {
      if (a.charAt(i) != b.charAt(i)) {
        return i;
      }
    }
    return n;
  }
}
