package io.baton.orchestrator.observe;

import com.datastax.oss.driver.api.core.CqlSession;
import com.typesafe.config.Config;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.stream.connectors.cassandra.CqlSessionProvider;
import org.apache.pekko.stream.connectors.cassandra.DefaultSessionProvider;
import org.apache.pekko.stream.connectors.cassandra.DriverConfigLoaderFromConfig;
import scala.concurrent.ExecutionContext;
import scala.concurrent.Future;
import scala.jdk.javaapi.FutureConverters;

/**
 * The journal's Cassandra session (pekko-persistence-cassandra's {@code session-provider}), built as
 * the plugin's default provider builds it, plus the metric registry that the driver's
 * {@code MicrometerMetricsFactory} (set in {@code datastax-java-driver.advanced.metrics}) records
 * into: this actor system's {@link DriverMeters}. Sessions found through service discovery are
 * left to the default provider, without metrics.
 */
public final class MeteredSessionProvider implements CqlSessionProvider {
  private final ActorSystem system;
  private final Config config;

  public MeteredSessionProvider(ActorSystem system, Config config) {
    this.system = system;
    this.config = config;
  }

  @Override
  public Future<CqlSession> connect(ExecutionContext ec) {
    if (!config.getString("service-discovery.name").isEmpty()) {
      return new DefaultSessionProvider(system, config).connect(ec);
    }
    Config driver = CqlSessionProvider.driverConfig(system, config);
    return FutureConverters.asScala(CqlSession.builder()
        .withConfigLoader(DriverConfigLoaderFromConfig.fromConfig(driver))
        .withMetricRegistry(DriverMeters.get(system).registry())
        .buildAsync());
  }
}
