package io.baton.actors.worker;

/**
 * Where a GPU stands. ACTIVE and SPARE are the two capacity pools; every other registered status
 * is out of rotation, and the state's history says who took it out and why.
 */
public enum GpuStatus {
  /** No Registered event yet: the entity exists only because someone addressed it. */
  UNREGISTERED,
  /** In the active pool: the placer may give it sessions. */
  ACTIVE,
  /** Healthy and idle, waiting to be promoted when an active GPU leaves rotation. */
  SPARE,
  /** Missed heartbeats or a lost lease: its sessions are migrated, it takes no new ones. */
  SUSPECT,
  /** Taken out of rotation on purpose, by an operator or the fleet controller. */
  CORDONED,
  /** Takes no new sessions; the ones it runs finish or are moved before it is demoted or cordoned. */
  DRAINING,
  /** A GPU reset is under way; an active health check decides what comes next. */
  RESETTING,
  /** Out for good: two consecutive failed health checks. Terminal. */
  RETIRED;

  public boolean isInRotation() {
    return this == ACTIVE || this == SPARE;
  }

  /**
   * Out of rotation and holding no sessions, so a reset or an active health check may run on it.
   * DRAINING is not: it still runs sessions.
   */
  public boolean isQuarantined() {
    return this == SUSPECT || this == CORDONED || this == RESETTING;
  }
}
