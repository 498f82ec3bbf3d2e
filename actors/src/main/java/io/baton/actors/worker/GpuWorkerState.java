package io.baton.actors.worker;

import io.baton.actors.CborSerializable;
import io.baton.actors.worker.GpuWorkerEvent.Cordoned;
import io.baton.actors.worker.GpuWorkerEvent.Demoted;
import io.baton.actors.worker.GpuWorkerEvent.DrainStarted;
import io.baton.actors.worker.GpuWorkerEvent.HealthCheckFailed;
import io.baton.actors.worker.GpuWorkerEvent.HealthCheckPassed;
import io.baton.actors.worker.GpuWorkerEvent.HeartbeatRecorded;
import io.baton.actors.worker.GpuWorkerEvent.MarkedSuspect;
import io.baton.actors.worker.GpuWorkerEvent.Promoted;
import io.baton.actors.worker.GpuWorkerEvent.Registered;
import io.baton.actors.worker.GpuWorkerEvent.ResetStarted;
import io.baton.actors.worker.GpuWorkerEvent.Retired;
import io.baton.actors.worker.GpuWorkerEvent.ReturnedToService;
import io.baton.actors.worker.GpuWorkerEvent.StatusChanged;
import io.baton.actors.worker.GpuWorkerEvent.XidRecorded;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A GPU as its events made it. Immutable: {@link #apply} returns a new state. It is also the
 * snapshot format, so its fields are a stored schema like the events.
 *
 * @param since when the current status began
 * @param lastHeartbeatAt the last journaled sign of life: registration or the first heartbeat after
 *     suspicion. GetState overlays the latest heartbeat seen in memory.
 * @param heartbeatSinceSuspect whether a heartbeat was journaled since the GPU became suspect
 * @param consecutiveHealthFailures failed health checks since the last one that passed
 * @param lastXid the most recent XID, or null if it never reported one
 * @param history the last {@value #HISTORY_LIMIT} status changes, oldest first
 */
public record GpuWorkerState(
    String workerId,
    GpuStatus status,
    GpuSpec gpu,
    Instant registeredAt,
    Instant since,
    Instant lastHeartbeatAt,
    boolean heartbeatSinceSuspect,
    int consecutiveHealthFailures,
    XidReport lastXid,
    List<HistoryEntry> history)
    implements CborSerializable {

  /** Enough to explain a GPU's recent past without letting a flapping one grow its state forever. */
  public static final int HISTORY_LIMIT = 50;

  public GpuWorkerState {
    history = List.copyOf(history);
  }

  public static GpuWorkerState empty(String workerId) {
    return new GpuWorkerState(workerId, GpuStatus.UNREGISTERED, null, null, null, null, false, 0, null, List.of());
  }

  /** The latest status change, or null before registration: why the GPU is where it is. */
  public HistoryEntry lastChange() {
    return history.isEmpty() ? null : history.get(history.size() - 1);
  }

  /** This state with a heartbeat seen but not journaled, when it is newer. */
  GpuWorkerState seenAt(Instant heartbeat) {
    if (heartbeat == null || (lastHeartbeatAt != null && !heartbeat.isAfter(lastHeartbeatAt))) {
      return this;
    }
    return new GpuWorkerState(workerId, status, gpu, registeredAt, since, heartbeat, heartbeatSinceSuspect,
        consecutiveHealthFailures, lastXid, history);
  }

  public GpuWorkerState apply(GpuWorkerEvent event) {
    // Java 17 has no pattern switch; the sealed interfaces keep these chains complete by review.
    if (event instanceof Registered e) {
      GpuStatus to = e.pool().status();
      return new GpuWorkerState(e.workerId(), to, e.gpu(), e.at(), e.at(), e.at(), false, 0, null,
          appendBounded(history, new HistoryEntry(status, to, e.by(), "registered in the " + e.pool() + " pool", e.at())));
    } else if (event instanceof HeartbeatRecorded e) {
      return new GpuWorkerState(workerId, status, gpu, registeredAt, since, e.at(), true,
          consecutiveHealthFailures, lastXid, history);
    } else if (event instanceof XidRecorded e) {
      return new GpuWorkerState(workerId, status, gpu, registeredAt, since, lastHeartbeatAt, heartbeatSinceSuspect,
          consecutiveHealthFailures, new XidReport(e.code(), e.xidClass(), e.detail(), e.by(), e.at()), history);
    } else if (event instanceof StatusChanged e) {
      return moved(e, target(e), failuresAfter(e));
    }
    throw new IllegalArgumentException("unknown GPU worker event " + event.getClass().getName());
  }

  private GpuStatus target(StatusChanged e) {
    if (e instanceof Cordoned || e instanceof HealthCheckFailed) {
      return GpuStatus.CORDONED;
    } else if (e instanceof ReturnedToService || e instanceof HealthCheckPassed || e instanceof Demoted) {
      return GpuStatus.SPARE;
    } else if (e instanceof DrainStarted) {
      return GpuStatus.DRAINING;
    } else if (e instanceof MarkedSuspect) {
      return GpuStatus.SUSPECT;
    } else if (e instanceof ResetStarted) {
      return GpuStatus.RESETTING;
    } else if (e instanceof Promoted) {
      return GpuStatus.ACTIVE;
    } else if (e instanceof Retired) {
      return GpuStatus.RETIRED;
    }
    throw new IllegalArgumentException("unknown status change " + e.getClass().getName());
  }

  /** Only a check's outcome moves the counter: a reset or an uncordon proves nothing about the GPU. */
  private int failuresAfter(StatusChanged e) {
    if (e instanceof HealthCheckPassed) {
      return 0;
    }
    return e instanceof HealthCheckFailed ? consecutiveHealthFailures + 1 : consecutiveHealthFailures;
  }

  private GpuWorkerState moved(StatusChanged e, GpuStatus to, int failures) {
    // Suspicion starts afresh on every move, so the first heartbeat after a new suspicion is journaled.
    return new GpuWorkerState(workerId, to, gpu, registeredAt, e.at(), lastHeartbeatAt, false, failures, lastXid,
        appendBounded(history, new HistoryEntry(status, to, e.by(), e.reason(), e.at())));
  }

  private static List<HistoryEntry> appendBounded(List<HistoryEntry> list, HistoryEntry entry) {
    List<HistoryEntry> copy = new ArrayList<>(list.size() + 1);
    copy.addAll(list.subList(Math.max(0, list.size() + 1 - HISTORY_LIMIT), list.size()));
    copy.add(entry);
    return List.copyOf(copy);
  }
}
