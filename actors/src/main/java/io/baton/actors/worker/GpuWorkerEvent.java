package io.baton.actors.worker;

import io.baton.actors.CborSerializable;
import java.time.Instant;

/**
 * Everything that happened to a GPU. These records are a stored schema: renaming one, or a field of
 * one, breaks replay of existing journals. Every one is round-tripped in a test.
 */
public sealed interface GpuWorkerEvent extends CborSerializable {

  record Registered(String workerId, GpuSpec gpu, Pool pool, String by, Instant at) implements GpuWorkerEvent {}

  /** The first heartbeat after the GPU became suspect: the agent is back, the GPU not yet trusted. */
  record HeartbeatRecorded(Instant at) implements GpuWorkerEvent {}

  /** @param xidClass the class at the time, so that a later catalog edit cannot rewrite history */
  record XidRecorded(int code, XidClass xidClass, String detail, String by, Instant at) implements GpuWorkerEvent {}

  /** An event that moves the GPU to another status; each adds an entry to the history. */
  sealed interface StatusChanged extends GpuWorkerEvent {
    String by();

    String reason();

    Instant at();
  }

  record Cordoned(String by, String reason, Instant at) implements StatusChanged {}

  record ReturnedToService(String by, String reason, Instant at) implements StatusChanged {}

  record DrainStarted(String by, String reason, Instant at) implements StatusChanged {}

  record MarkedSuspect(String by, String reason, Instant at) implements StatusChanged {}

  record ResetStarted(String by, String reason, Instant at) implements StatusChanged {}

  record HealthCheckPassed(String by, String reason, Instant at) implements StatusChanged {}

  /** Leaves the GPU cordoned; the failure that reaches the limit is followed by {@link Retired}. */
  record HealthCheckFailed(String by, String reason, Instant at) implements StatusChanged {}

  record Promoted(String by, String reason, Instant at) implements StatusChanged {}

  record Demoted(String by, String reason, Instant at) implements StatusChanged {}

  /** Terminal. Persisted as its own event so that replay never depends on today's failure limit. */
  record Retired(String by, String reason, Instant at) implements StatusChanged {}
}
