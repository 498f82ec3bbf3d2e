package io.baton.chaos;

import io.baton.chaos.report.ChaosReport;
import io.baton.chaos.report.FaultRecord;
import io.baton.chaos.report.GpuRecord;
import io.baton.chaos.report.InvariantResult;
import io.baton.chaos.report.SessionRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Turns a scenario's observations into its report: facts per session, fault and GPU, then the six verdicts. */
final class ReportBuilder {
  private ReportBuilder() {}

  static ChaosReport build(Observations o, long seed, Map<String, String> settings, List<GpuRecord> gpus,
      int numberOfShards) {
    List<FaultRecord> faults = new ArrayList<>();
    for (FaultInjector.Injection in : o.injections()) {
      faults.add(new FaultRecord(in.fault().kind(), in.fault().target(), in.at(), in.healedAt(), in.detail()));
    }
    Map<String, StreamLog> streams = new HashMap<>();
    o.streams().stream().filter(StreamLog::accepted).forEach(s -> streams.put(s.sessionId(), s));
    List<SessionRecord> sessions = new ArrayList<>();
    for (SessionAudit a : o.sessions()) {
      StreamLog log = streams.get(a.sessionId());
      Instant submitted = a.submittedAt() != null ? a.submittedAt() : log != null ? log.submittedAt() : o.startedAt();
      boolean matches = a.replayText() != null && a.replayText().equals(o.references().get(a.key()));
      // The API's statuses are lower case; the report's records (and their readers) use the enum's names.
      sessions.add(new SessionRecord(a.sessionId(), a.status().toUpperCase(Locale.ROOT), submitted,
          a.endedAt().orElse(null), a.attempts(), a.tokens(), matches, note(a, log)));
    }
    List<InvariantResult> results = new ArrayList<>();
    for (Invariant i : Invariant.all()) {
      results.add(i.check(o));
    }
    return new ChaosReport(o.scenario().name(), seed, o.startedAt(), Instant.now(), settings, faults, sessions, gpus,
        results, Recoveries.samples(o, numberOfShards));
  }

  private static String note(SessionAudit a, StreamLog log) {
    List<String> parts = new ArrayList<>();
    if (log == null) {
      parts.add("batch line " + a.key().substring(1));
    } else {
      parts.add("client " + log.outcome().name().toLowerCase());
      if (log.reconnects() > 0) {
        parts.add(log.reconnects() + " reconnects (" + log.connections().stream()
            .filter(c -> c.close() != StreamLog.Close.DONE).map(c -> c.close().name().toLowerCase() + "@" + c.node())
            .reduce((x, y) -> x + ", " + y).orElse("") + ")");
      }
      if (!log.detail().isEmpty()) {
        parts.add(log.detail());
      }
    }
    if (a.endReason() != null && !"completed".equals(a.status())) {
      parts.add("ended: " + a.endReason());
    }
    return String.join("; ", parts);
  }
}
