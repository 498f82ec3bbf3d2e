package io.baton.actors;

import io.baton.actors.batch.Batch;
import io.baton.actors.session.Session;
import io.baton.actors.worker.GpuWorker;
import org.apache.pekko.actor.typed.ActorSystem;

/** Starts sharding for every entity type; each node calls this once at start. */
public final class Entities {
  private Entities() {}

  public static void init(ActorSystem<?> system, ActorsSettings settings) {
    Session.init(system, settings);
    GpuWorker.init(system, settings);
    Batch.init(system, settings);
  }
}
