package io.baton.orchestrator.observe;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;

/**
 * Where the Cassandra driver's meters go, one per actor system. The journal's session is built
 * (by {@link MeteredSessionProvider}) before the node's registry exists, so the driver registers
 * into this composite, and {@link #publishTo} adds the node's registry to it later: Micrometer
 * then copies every meter there, past and future.
 */
public final class DriverMeters implements Extension {
  private static final Id ID = new Id();
  private final CompositeMeterRegistry composite = new CompositeMeterRegistry();

  private DriverMeters() {
    // The driver tags its per-host meters "node" with the Cassandra host; "node" is Baton's node id
    // on every meter, so the host becomes "cassandra_node".
    composite.config().meterFilter(MeterFilter.renameTag("cassandra.nodes", "node", "cassandra_node"));
  }

  public static DriverMeters get(ActorSystem system) {
    return ID.get(system);
  }

  MeterRegistry registry() {
    return composite;
  }

  /** The node's registry shows the driver's meters from now on. */
  public void publishTo(MeterRegistry nodeRegistry) {
    composite.add(nodeRegistry);
  }

  private static final class Id extends AbstractExtensionId<DriverMeters> {
    @Override
    public DriverMeters createExtension(ExtendedActorSystem system) {
      return new DriverMeters();
    }
  }
}
