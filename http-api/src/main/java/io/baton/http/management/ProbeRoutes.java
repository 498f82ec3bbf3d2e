package io.baton.http.management;

import io.baton.http.HealthRoutes;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.management.javadsl.ManagementRouteProvider;
import org.apache.pekko.management.javadsl.ManagementRouteProviderSettings;

/** {@code /alive} and {@code /ready} on the management port, open to probes, 503 when not ready. */
public final class ProbeRoutes implements ManagementRouteProvider {
  private final ExtendedActorSystem system;

  public ProbeRoutes(ExtendedActorSystem system) {
    this.system = system;
  }

  @Override
  public Route routes(ManagementRouteProviderSettings settings) {
    return new HealthRoutes(system).probes();
  }
}
