package io.baton.orchestrator.batch;

import com.typesafe.config.Config;
import io.baton.actors.app.SessionService;
import io.baton.http.HttpSettings;
import io.baton.http.batch.BatchLines;
import io.baton.http.metrics.HttpMetrics;
import io.baton.persistence.files.FileStore;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;

/** Builds this node's batch drivers on the same application layer the HTTP API uses. */
public final class BatchWiring {
  private BatchWiring() {}

  public static ActorRef<BatchDrivers.Command> drivers(
      ActorSystem<?> system, Config config, SessionService sessions, FileStore files, MeterRegistry metrics,
      HttpMetrics httpMetrics) {
    HttpSettings http = HttpSettings.fromConfig(config);
    BatchDriver driver = new BatchDriver(system, sessions, httpMetrics, new BatchLines(sessions, http), files,
        new BatchProgress(metrics));
    return system.systemActorOf(BatchDrivers.create(driver), "batch-drivers", Props.empty());
  }
}
