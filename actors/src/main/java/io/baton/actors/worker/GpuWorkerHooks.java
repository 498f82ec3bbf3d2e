package io.baton.actors.worker;

import java.util.List;

/**
 * Who hears about a GPU's state: the placers and agents of every node, through a cluster topic the
 * orchestrator wires in. Called from inside the entity after each persisted change and after
 * recovery, so an implementation must only {@code tell} and return.
 */
@FunctionalInterface
public interface GpuWorkerHooks {

  void changed(GpuWorkerState state);

  /** Events just persisted, with the state after them: for the admin event feed. */
  default void recorded(List<GpuWorkerEvent> events, GpuWorkerState after) {}

  GpuWorkerHooks NONE = state -> {};
}
