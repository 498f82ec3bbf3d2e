package io.baton.http.management;

import io.baton.http.AdminAuth;
import io.baton.http.HttpSettings;
import io.baton.http.errors.ErrorHandling;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.management.cluster.javadsl.ClusterHttpManagementRoutes;
import org.apache.pekko.management.javadsl.ManagementRouteProvider;
import org.apache.pekko.management.javadsl.ManagementRouteProviderSettings;

/**
 * pekko-management's cluster routes ({@code /cluster/members}, leave and down, {@code
 * /cluster/shards/<type>}) on the management port, behind the admin token. Mounted from config
 * ({@code pekko.management.http.routes}) in place of the library's own provider, which would serve
 * them without a credential beside the probes.
 */
public final class ClusterAdminRoutes extends AllDirectives implements ManagementRouteProvider {
  private final ExtendedActorSystem system;

  public ClusterAdminRoutes(ExtendedActorSystem system) {
    this.system = system;
  }

  @Override
  public Route routes(ManagementRouteProviderSettings settings) {
    AdminAuth auth = new AdminAuth(HttpSettings.fromConfig(system.settings().config()));
    ErrorHandling errors = new ErrorHandling();
    Route cluster = settings.readOnly()
        ? ClusterHttpManagementRoutes.readOnly(Cluster.get(system))
        : ClusterHttpManagementRoutes.all(Cluster.get(system));
    // Only under /cluster: the error handling turns an unmatched path into a 404, which would hide
    // the other providers' routes on the same port.
    return pathPrefixTest("cluster", () -> errors.handle(() -> auth.adminOnly(() -> errors.libraryErrors(() -> cluster))));
  }
}
