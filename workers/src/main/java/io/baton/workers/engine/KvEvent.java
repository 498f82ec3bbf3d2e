package io.baton.workers.engine;

/**
 * A change to a worker's block cache (its simulated GPU memory). The worker reports these so that
 * placement can send a request to the worker that already holds its prefix.
 */
public sealed interface KvEvent {
  String hash();

  /** The block is now cached. */
  record Stored(String hash) implements KvEvent {}

  /** The block was dropped to make room. */
  record Evicted(String hash) implements KvEvent {}
}
