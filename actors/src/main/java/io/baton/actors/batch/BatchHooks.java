package io.baton.actors.batch;

/**
 * Who drives a batch's requests: the orchestrator's batch driver on the node where the batch
 * lives. Called from inside the entity after each persisted change and after recovery while the
 * batch is unfinished, so an implementation must only {@code tell} and tolerate repeats.
 */
@FunctionalInterface
public interface BatchHooks {

  void needsDriving(BatchState state);

  /** An event just persisted, with the state after it: for the admin event feed. */
  default void recorded(BatchEvent event, BatchState after) {}

  BatchHooks NONE = state -> {};
}
