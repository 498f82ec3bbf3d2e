package io.baton.actors;

import io.baton.actors.batch.Batch;
import io.baton.actors.batch.BatchHooks;
import io.baton.actors.session.Session;
import io.baton.actors.session.SessionHooks;
import io.baton.actors.worker.GpuWorker;
import io.baton.actors.worker.GpuWorkerHooks;
import org.apache.pekko.actor.typed.ActorSystem;

/** Starts sharding for every entity type; each node calls this once at start. */
public final class Entities {
  private Entities() {}

  /**
   * @param sessions how sessions reach this node's placer
   * @param gpus who hears about GPU state changes
   * @param batches who drives unfinished batches
   */
  public static void init(
      ActorSystem<?> system, ActorsSettings settings, SessionHooks sessions, GpuWorkerHooks gpus, BatchHooks batches) {
    Session.init(system, settings, sessions);
    GpuWorker.init(system, settings, gpus);
    Batch.init(system, settings, batches);
  }
}
