package io.baton.actors.worker;

/** The capacity pool a GPU joins when it registers. */
public enum Pool {
  ACTIVE,
  SPARE;

  public GpuStatus status() {
    return this == ACTIVE ? GpuStatus.ACTIVE : GpuStatus.SPARE;
  }
}
