package io.baton.orchestrator.health;

import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;

/**
 * What the node's start has reached that no library check can see: its GPUs registered (at once on
 * a node without the worker role). Health checks are built by pekko-management from config, so
 * they find this through the actor system rather than a constructor argument.
 */
public final class NodeReadiness implements Extension {
  private static final Id ID = new Id();
  private final AtomicBoolean gpusRegistered = new AtomicBoolean();

  public static NodeReadiness get(ActorSystem system) {
    return ID.get(system);
  }

  public void gpusRegistered() {
    gpusRegistered.set(true);
  }

  public boolean areGpusRegistered() {
    return gpusRegistered.get();
  }

  private static final class Id extends AbstractExtensionId<NodeReadiness> {
    @Override
    public NodeReadiness createExtension(ExtendedActorSystem system) {
      return new NodeReadiness();
    }
  }
}
