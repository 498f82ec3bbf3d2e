package io.baton.orchestrator.health;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.ActorSystem;

/** Readiness: this node's GPUs are registered (always true once a node without GPUs has started). */
public final class GpusRegisteredCheck implements Supplier<CompletionStage<Boolean>> {
  private final NodeReadiness readiness;

  public GpusRegisteredCheck(ActorSystem system) {
    this.readiness = NodeReadiness.get(system);
  }

  @Override
  public CompletionStage<Boolean> get() {
    return CompletableFuture.completedFuture(readiness.areGpusRegistered());
  }
}
