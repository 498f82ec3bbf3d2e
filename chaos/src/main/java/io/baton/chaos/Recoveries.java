package io.baton.chaos;

import io.baton.chaos.FaultInjector.Injection;
import io.baton.chaos.report.RecoverySample;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.cluster.sharding.typed.HashCodeMessageExtractor;

/**
 * Recovery samples for invariant 5, from the sessions' journals: for each fault and each session it
 * hit, the time from the fault to the session's first token taken after it (a TokensAppended
 * event; its time is when the entity accepted the chunk). Which sessions a fault hit:
 * <ul>
 *   <li>XID: the attempt running at the fault on a GPU the XID took out (a node-fatal XID takes the
 *       host's GPUs); the sample is the next attempt's first token.
 *   <li>node kill, pause or partition: the attempt running on that node's GPUs, and every running session whose
 *       entity that node hosted (shard listing taken just before the fault). A killed runner's
 *       session needs a new attempt; otherwise any token after the fault counts (after a pause: a
 *       new attempt's, or one taken after the SIGCONT).
 *   <li>Cassandra stall or restart: every running session; the first token accepted after the heal,
 *       since a chunk accepted during the stall is not durable until after it.
 *   <li>slow GPU: only attempts that failed while it was slow (the lease).
 * </ul>
 */
final class Recoveries {
  private Recoveries() {}

  /**
   * One sample with where its time went: fault to the hit attempt's failure, to the next placement
   * (-1 when there was none: the session stayed where it was), to the first token.
   *
   * @param preempted the admission queue, not the fault, ended the hit attempt (its hint crossed the
   *     fault's), and the session resumed on a later attempt: the time until then is its wait for
   *     the interactive work it gave way to, queueing by design rather than recovery, so it is
   *     shown but not held to the fault's bound
   */
  record Measured(RecoverySample sample, long toFailedMs, long toPlacedMs, String gpu, boolean preempted) {
    String explain() {
      return sample.faultKind() + " " + sample.sessionId() + " (was on " + gpu + "): " + sample.millis() + " ms > "
          + sample.boundMillis() + " ms [attempt failed +" + toFailedMs + " ms, placed again +" + toPlacedMs
          + " ms, first token +" + sample.millis() + " ms]";
    }
  }

  /**
   * A session an XID should have moved but did not: running on a GPU the XID took out, and that same
   * attempt kept appending tokens more than a second later.
   */
  record Unmoved(String faultKind, String gpu, String sessionId, int attempt) {}

  static List<RecoverySample> samples(Observations o, int numberOfShards) {
    return measure(o, numberOfShards).stream().filter(m -> !m.preempted()).map(Measured::sample).toList();
  }

  static List<Unmoved> unmoved(Observations o) {
    List<Unmoved> out = new ArrayList<>();
    for (Injection in : o.injections()) {
      boolean moving = in.fault() instanceof Fault.XidFault x ? moves(x.code())
          : in.fault() instanceof Fault.KernelLogXid k ? moves(k.code()) : in.fault() instanceof Fault.KillEngine;
      if (!moving) {
        continue;
      }
      for (SessionAudit s : o.sessions()) {
        Optional<SessionAudit.Event> run = s.runningAt(in.at());
        if (run.isPresent() && in.gpus().contains(run.get().summary().path("worker").asText())) {
          int attempt = run.get().attempt();
          Instant later = in.at().plusSeconds(1);
          boolean kept = s.events().stream().anyMatch(e -> e.type().equals("TokensAppended") && e.attempt() == attempt
              && e.at() != null && e.at().isAfter(later));
          if (kept) {
            out.add(new Unmoved(in.fault().kind(), run.get().summary().path("worker").asText(), s.sessionId(), attempt));
          }
        }
      }
    }
    return out;
  }

  /** XID classes whose handling moves the sessions off the GPU (app fault, reset, node-fatal, unknown). */
  private static boolean moves(int code) {
    io.baton.actors.worker.XidClass c = io.baton.actors.worker.XidCatalog.standard().classify(code);
    return c != io.baton.actors.worker.XidClass.INFORMATIONAL && c != io.baton.actors.worker.XidClass.SECONDARY;
  }

  /**
   * A crashed entity host's sessions can restart only after the split brain resolver downed it and
   * the down-removal margin passed. The bound takes the downing as it happened (the first "SBR took
   * decision" line after the fault, in any node's log) rather than as configured: the phi detector
   * and the resolver's tick add their own jitter to the nominal detection + stable-after. Without
   * such a line it falls back to the configured sum.
   */
  static long hostCrashBound(Observations o, Instant fault) {
    Optional<Instant> downed = o.nodeLogs().values().stream()
        .flatMap(String::lines)
        .filter(l -> l.contains("SBR took decision DownUnreachable"))
        .map(l -> logTime(l.substring(0, Math.max(0, l.indexOf(' '))), fault))
        .filter(at -> at != null && at.isAfter(fault))
        .min(Instant::compareTo);
    return downed.map(at -> Duration.between(fault, at).toMillis() + o.bounds().removalMargin().toMillis()
        + Bounds.MARGIN_MS).orElse(o.bounds().hostCrashMillis());
  }

  /**
   * A node log line's time: nodes log ISO-8601 instants; a log pattern with only the time of day
   * (HH:mm:ss[.SSS], in this machine's zone) is read on the fault's date. Null when neither.
   */
  static Instant logTime(String stamp, Instant fault) {
    try {
      return java.time.OffsetDateTime.parse(stamp).toInstant();
    } catch (RuntimeException notIso) {
      try {
        java.time.ZoneId zone = java.time.ZoneId.systemDefault();
        return java.time.LocalTime.parse(stamp).atDate(fault.atZone(zone).toLocalDate()).atZone(zone).toInstant();
      } catch (RuntimeException notTime) {
        return null;
      }
    }
  }

  static List<Measured> measure(Observations o, int numberOfShards) {
    HashCodeMessageExtractor<Object> shards = new HashCodeMessageExtractor<>(numberOfShards);
    Bounds b = o.bounds();
    List<Measured> out = new ArrayList<>();
    for (Injection in : o.injections()) {
      Fault f = in.fault();
      Instant t = in.at();
      for (SessionAudit s : o.sessions()) {
        Optional<SessionAudit.Event> run = s.runningAt(t);
        if (run.isEmpty()) {
          continue;
        }
        int attempt = run.get().attempt();
        String gpu = run.get().summary().path("worker").asText();
        boolean onGpu = in.gpus().contains(gpu);
        String host = in.shardHosts().get(shards.shardId(s.sessionId()));
        boolean hosted = host != null && in.nodes().contains(host);
        Optional<Instant> resumed;
        long bound;
        if (f instanceof Fault.XidFault || f instanceof Fault.KillEngine || f instanceof Fault.KernelLogXid) {
          if (!onGpu) {
            continue;
          }
          resumed = firstTokenAfter(s, t, attempt + 1);
          // A dead engine breaks its streams at once; a kernel-log line waits for the watcher's next read.
          bound = Bounds.XID_MS + (f instanceof Fault.KernelLogXid ? b.kernelLogPollMillis() : 0);
        } else if (f instanceof Fault.KillNode || f instanceof Fault.KillSessionHost) {
          if (!onGpu && !hosted) {
            continue;
          }
          resumed = firstTokenAfter(s, t, onGpu ? attempt + 1 : 0);
          bound = hosted ? hostCrashBound(o, t) : b.nodeCrashMillis();
        } else if (f instanceof Fault.PauseNode || f instanceof Fault.PartitionNode) {
          if (!onGpu && !hosted) {
            continue;
          }
          // A chunk sent just before the SIGSTOP may still be taken by an entity elsewhere, and a
          // cut-off node's own entities keep taking its own workers' chunks: only a new attempt's
          // token, or one taken after the heal, shows the session moving again for its clients.
          Instant healed = in.healedAt() == null ? t : in.healedAt();
          resumed = s.events().stream().filter(e -> e.type().equals("TokensAppended") && e.at() != null
              && e.at().isAfter(t) && (e.attempt() > attempt || !e.at().isBefore(healed)))
              .map(SessionAudit.Event::at).findFirst();
          long lasting = f instanceof Fault.PauseNode p ? p.pause().toMillis()
              : ((Fault.PartitionNode) f).lasting().toMillis();
          long downing = b.detectionMillis() + b.stableAfter().toMillis();
          bound = !hosted ? Math.min(lasting, b.detectionMillis()) + Bounds.MARGIN_MS
              : lasting < downing ? lasting + Bounds.MARGIN_MS
              // A partition outlasting downing: the minority stops and its entities restart elsewhere.
              : f instanceof Fault.PartitionNode ? hostCrashBound(o, t) : downing + Bounds.MARGIN_MS;
        } else if (f instanceof Fault.PauseCassandra || f instanceof Fault.RestartCassandra) {
          Instant healed = in.healedAt() == null ? t : in.healedAt();
          resumed = firstTokenAfter(s, healed, 0);
          bound = b.journalMillis(Duration.between(t, healed).toMillis());
        } else if (f instanceof Fault.SlowGpu) {
          Instant healed = in.healedAt() == null ? t : in.healedAt();
          boolean failedWhileSlow = onGpu && s.events().stream().anyMatch(e -> e.type().equals("AttemptFailed")
              && e.attempt() == attempt && e.at() != null && !e.at().isAfter(healed));
          if (!failedWhileSlow) {
            continue;
          }
          resumed = firstTokenAfter(s, t, attempt + 1);
          bound = b.lease().toMillis() + Bounds.MARGIN_MS;
        } else {
          continue;
        }
        // No token after the fault: every token was already durable, or the session failed; nothing to time.
        if (resumed.isPresent()) {
          Optional<Injection> later = laterFaultHit(o, s, attempt, t, resumed.get());
          Instant from = later.map(Injection::at).orElse(t);
          String kind = later.map(l -> l.fault().kind()).orElse(f.kind());
          RecoverySample sample = new RecoverySample(kind + (hosted ? " (entity host)" : ""), s.sessionId(),
              Duration.between(from, resumed.get()).toMillis(), bound);
          long failed = s.events().stream().filter(e -> e.type().equals("AttemptFailed") && e.attempt() == attempt
              && e.at() != null).map(e -> Duration.between(t, e.at()).toMillis()).findFirst().orElse(-1L);
          long placed = s.events().stream().filter(e -> e.type().equals("Placed") && e.attempt() > attempt
              && e.at() != null).map(e -> Duration.between(t, e.at()).toMillis()).findFirst().orElse(-1L);
          // Only where the fault hit the attempt on its GPU: an entity host's loss is recovered from either way.
          boolean preempted = onGpu && !hosted && s.endedPreempted(attempt) && s.events().stream().anyMatch(e ->
              e.type().equals("TokensAppended") && resumed.get().equals(e.at()) && e.attempt() > attempt);
          out.add(new Measured(sample, failed, placed, gpu, preempted));
        }
      }
    }
    return out;
  }

  /**
   * In a storm, a session moved off one faulted GPU can land on another that a second fault takes
   * out before the first token: its recovery is then timed from the second fault. That is the case
   * when a later attempt failed before the resumed token and another injection came after this one
   * but no later than that failure; the sample carries the later fault's kind.
   */
  private static Optional<Injection> laterFaultHit(Observations o, SessionAudit s, int attempt, Instant t,
      Instant resumed) {
    Optional<Instant> laterFailure = s.events().stream()
        .filter(e -> e.type().equals("AttemptFailed") && e.attempt() > attempt && e.at() != null
            && e.at().isAfter(t) && e.at().isBefore(resumed))
        .map(SessionAudit.Event::at).max(Instant::compareTo);
    return laterFailure.flatMap(failedAt -> o.injections().stream()
        .filter(in -> in.at().isAfter(t) && !in.at().isAfter(failedAt)).max(java.util.Comparator.comparing(Injection::at)));
  }

  private static Optional<Instant> firstTokenAfter(SessionAudit s, Instant t, int minAttempt) {
    return s.events().stream()
        .filter(e -> e.type().equals("TokensAppended") && e.at() != null && e.at().isAfter(t)
            && e.attempt() >= minAttempt)
        .map(SessionAudit.Event::at).findFirst();
  }
}
