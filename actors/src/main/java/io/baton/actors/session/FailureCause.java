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
    PROGRESS_TIMEOUT,
    ENGINE_ERROR,
    /** An operator drained or cordoned the GPU and policy moved the session. */
    MIGRATED
  }

  public static FailureCause xid(int code, String xidClass, String detail) {
    return new FailureCause(Kind.XID, code, xidClass, detail);
  }

  public static FailureCause of(Kind kind, String detail) {
    return new FailureCause(kind, null, null, detail);
  }
}
