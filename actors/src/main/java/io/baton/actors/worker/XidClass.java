package io.baton.actors.worker;

/**
 * What an NVIDIA XID means for Baton (DESIGN.md, "XID classes"). Which code falls in which class is
 * data, in xid-catalog.conf; the intended action is stated here once. The GpuWorker entity only
 * records the class; the fleet controller acts on it.
 */
public enum XidClass {
  APP_FAULT("app-fault",
      "fail the attempt and resume the session elsewhere; keep the GPU. The same session faulting on"
          + " two GPUs is a poison request: fail it and keep both GPUs"),
  RESET_GPU("reset-gpu",
      "cordon, migrate its sessions now, reset, run an active health check, then return it as a spare"),
  NODE_FATAL("node-fatal",
      "cordon every GPU of the host, migrate their sessions and replace them from the spare pool"),
  INFORMATIONAL("informational", "record only (92 schedules maintenance)"),
  SECONDARY("secondary", "act on the primary XID that accompanies it"),
  /** Not in the catalog. Conservative: a code we do not know may be serious, so treat it as RESET_GPU. */
  UNKNOWN("unknown", "not in the catalog: handle like reset-gpu until the catalog says otherwise");

  private final String id;
  private final String action;

  XidClass(String id, String action) {
    this.id = id;
    this.action = action;
  }

  /** The class's key in xid-catalog.conf, and the name FailureCause carries. */
  public String id() {
    return id;
  }

  /** What the fleet should do about an XID of this class, for operators and logs. */
  public String action() {
    return action;
  }
}
