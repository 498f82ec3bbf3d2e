package io.baton.orchestrator.health;

import org.apache.pekko.actor.ActorSystem;
import scala.concurrent.Future;
import scala.runtime.AbstractFunction0;

/** Readiness: this node's GPUs are registered (always true once a node without GPUs has started). */
public final class GpusRegisteredCheck extends AbstractFunction0<Future<Boolean>> {
  private final NodeReadiness readiness;

  public GpusRegisteredCheck(ActorSystem system) {
    this.readiness = NodeReadiness.get(system);
  }

  @Override
  public Future<Boolean> apply() {
    return Future.successful(readiness.areGpusRegistered());
  }
}
