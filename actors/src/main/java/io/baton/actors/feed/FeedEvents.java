package io.baton.actors.feed;

import io.baton.actors.batch.BatchEvent;
import io.baton.actors.batch.BatchState;
import io.baton.actors.session.Attempt;
import io.baton.actors.session.ResumeMethod;
import io.baton.actors.session.SessionEvent;
import io.baton.actors.session.SessionSpec;
import io.baton.actors.session.SessionState;
import io.baton.actors.worker.GpuSpec;
import io.baton.actors.worker.GpuStatus;
import io.baton.actors.worker.GpuWorkerEvent;
import io.baton.actors.worker.GpuWorkerState;
import io.baton.actors.worker.HistoryEntry;
import io.baton.actors.worker.XidClass;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What each entity's persisted events mean on the admin feed. Pure functions of the events and the
 * state after them, so an entity only has to hand them on; everything not worth an operator's
 * attention (tokens, heartbeats, checkpoints) is left out.
 */
public final class FeedEvents {
  private FeedEvents() {}

  /** A GPU's events: its status changes (the history entries they appended name from and to) and XIDs. */
  public static List<FeedEvent> ofGpu(List<GpuWorkerEvent> events, GpuWorkerState after) {
    GpuSpec gpu = after.gpu();
    if (gpu == null) {
      return List.of();
    }
    long moves = events.stream()
        .filter(e -> e instanceof GpuWorkerEvent.StatusChanged || e instanceof GpuWorkerEvent.Registered).count();
    List<HistoryEntry> history = after.history();
    int next = (int) Math.max(0, history.size() - moves);
    List<FeedEvent> out = new ArrayList<>();
    for (GpuWorkerEvent e : events) {
      if (e instanceof GpuWorkerEvent.XidRecorded x) {
        XidClass cls = x.xidClass();
        out.add(new FeedEvent.XidObserved(after.workerId(), gpu.nodeId(), gpu.model(), x.code(), cls.id(), cls.action(),
            x.detail(), x.by()));
      } else if ((e instanceof GpuWorkerEvent.StatusChanged || e instanceof GpuWorkerEvent.Registered)
          && next < history.size()) {
        HistoryEntry h = history.get(next++);
        if (e instanceof GpuWorkerEvent.Promoted && h.from() == GpuStatus.SPARE) {
          out.add(new FeedEvent.SparePromoted(after.workerId(), gpu.nodeId(), gpu.hostId(), gpu.model(), h.by(),
              h.reason()));
        } else {
          out.add(new FeedEvent.GpuStateChanged(after.workerId(), gpu.nodeId(), gpu.hostId(), gpu.model(),
              name(h.from()), name(h.to()), change(e), h.by(), h.reason()));
        }
      }
    }
    return out;
  }

  /** A session's events: submitted, each attempt placed or failed, and its end. */
  public static List<FeedEvent> ofSession(List<SessionEvent> events, SessionState after) {
    SessionSpec spec = after.spec();
    if (spec == null) {
      return List.of();
    }
    String id = after.sessionId();
    List<FeedEvent> out = new ArrayList<>();
    for (SessionEvent e : events) {
      if (e instanceof SessionEvent.Submitted) {
        out.add(new FeedEvent.SessionSubmitted(id, spec.tenant(), spec.model(),
            spec.serviceClass().wireName(), spec.batchId()));
      } else if (e instanceof SessionEvent.Placed p) {
        int context = spec.promptTokens().size() + p.resumeFrom();
        int restored = p.method() == ResumeMethod.KV_RESTORE ? Math.min(after.checkpointUpto(), context) : 0;
        int recomputed = p.method() == ResumeMethod.FRESH ? 0 : context - restored;
        out.add(new FeedEvent.AttemptPlaced(id, spec.tenant(), spec.model(), p.attempt(), p.workerId(),
            name(p.method()), p.resumeFrom(), restored, recomputed));
      } else if (e instanceof SessionEvent.AttemptFailed f) {
        String gpu = after.attempts().stream().filter(a -> a.number() == f.attempt()).map(Attempt::workerId)
            .findFirst().orElse(null);
        out.add(new FeedEvent.AttemptFailed(id, spec.tenant(), spec.model(), f.attempt(), gpu, name(f.cause().kind()),
            f.cause().xidClass(), f.cause().detail(), after.tokenCount()));
      } else if (e instanceof SessionEvent.Completed || e instanceof SessionEvent.Failed
          || e instanceof SessionEvent.Cancelled) {
        out.add(new FeedEvent.SessionEnded(id, spec.tenant(), spec.model(), name(after.status()), after.tokenCount(),
            after.attempts().size(), after.terminalReason()));
      }
    }
    return out;
  }

  /** A batch's progress after each recorded change, once it knows how many lines it has. */
  public static List<FeedEvent> ofBatch(BatchEvent event, BatchState after) {
    if (event instanceof BatchEvent.Created || after.requestCounts() == null) {
      return List.of();
    }
    return List.of(new FeedEvent.BatchProgress(after.id(), name(after.status()), after.requestCounts().total(),
        after.requestCounts().completed(), after.requestCounts().failed()));
  }

  private static String change(GpuWorkerEvent e) {
    return e.getClass().getSimpleName().replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
  }

  private static String name(Enum<?> value) {
    return value == null ? null : value.name().toLowerCase(Locale.ROOT);
  }
}
