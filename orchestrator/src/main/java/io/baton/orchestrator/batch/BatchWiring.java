package io.baton.orchestrator.batch;

import com.typesafe.config.Config;
import io.baton.http.HttpSettings;
import io.baton.http.ModelCatalog;
import io.baton.http.batch.BatchLines;
import io.baton.http.metrics.HttpMetrics;
import io.baton.http.sessions.SessionGateway;
import io.baton.persistence.files.FileStore;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;

/** Builds this node's batch drivers from the same pieces the HTTP API uses. */
public final class BatchWiring {
  private BatchWiring() {}

  public static ActorRef<BatchDrivers.Command> drivers(
      ActorSystem<?> system, Config config, ModelCatalog models, FileStore files, MeterRegistry metrics,
      HttpMetrics httpMetrics) {
    HttpSettings http = HttpSettings.fromConfig(config);
    SessionGateway gateway = new SessionGateway(system, models, http, httpMetrics);
    BatchDriver driver = new BatchDriver(system, gateway, new BatchLines(gateway, http), files,
        new BatchProgress(metrics));
    return system.systemActorOf(BatchDrivers.create(driver), "batch-drivers", Props.empty());
  }
}
