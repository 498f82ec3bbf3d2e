package io.baton.actors.session;

import io.baton.actors.CborSerializable;

/**
 * Why an attempt ended without finishing the session.
 *
 * @param xidCode the NVIDIA XID code when kind is XID, otherwise null
 * @param xidClass the XID's class name (app-fault, reset-gpu, ...) when kind is XID, otherwise null
 */
public record FailureCause(Kind kind, Integer xidCode, String xidClass, String detail) implements CborSerializable {

  public enum Kind {
    XID,
    NODE_UNREACHABLE,
    /** Events written before leases; a lease that runs out now records LEASE_EXPIRED. */
    PROGRESS_TIMEOUT,
    ENGINE_ERROR,
    /** An operator drained or cordoned the GPU and policy moved the session. */
    MIGRATED,
    /** No acknowledged chunk and no runner heartbeat for the lease: the GPU may hang. */
    LEASE_EXPIRED,
    /** The GPU's agent refused the grant (full, or leaving rotation); nothing ran. */
    GRANT_REFUSED,
    /**
     * The engine server's process died or its stream broke off: the GPU is suspect, the session
     * resumes elsewhere. Never counts toward a poison request (the session did nothing wrong).
     */
    ENGINE_LOST,
    /**
     * The attempt gave its GPU to more urgent work (or an operator moved it): the session keeps its
     * tokens and checkpoint and resumes elsewhere. Never counts toward a poison request and never
     * marks the GPU.
     */
    PREEMPTED
  }

  public static FailureCause xid(int code, String xidClass, String detail) {
    return new FailureCause(Kind.XID, code, xidClass, detail);
  }

  public static FailureCause of(Kind kind, String detail) {
    return new FailureCause(kind, null, null, detail);
  }
}
