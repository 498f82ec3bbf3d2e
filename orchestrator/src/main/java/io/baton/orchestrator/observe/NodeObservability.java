package io.baton.orchestrator.observe;

import io.baton.actors.worker.GpuWorkerState;
import io.baton.workers.agent.GpuReport;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.pubsub.Topic;

/**
 * What a node adds for its operators beside the meters its parts record: GC, class loading and
 * file descriptors, the Cassandra driver's meters, the fleet by GPU status, cluster membership
 * (as meters and as INFO log lines) and readiness as a meter. Started once per node, with its
 * registry, before it joins the cluster.
 */
public final class NodeObservability {
  private NodeObservability() {}

  public static void start(ActorSystem<?> system, MeterRegistry registry,
      ActorRef<Topic.Command<GpuWorkerState>> gpuStates, ActorRef<Topic.Command<GpuReport>> gpuReports) {
    // GC notifications are listened to until closed: closed with the node, so that a JVM that runs
    // nodes one after another (tests) does not keep feeding the registries of stopped ones.
    JvmGcMetrics gc = new JvmGcMetrics();
    gc.bindTo(registry);
    system.getWhenTerminated().thenRun(gc::close);
    new ClassLoaderMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    DriverMeters.get(system.classicSystem()).publishTo(registry);
    ClusterMeters.bind(system.classicSystem(), registry);
    ReadinessMeter.start(system, registry);
    system.systemActorOf(ClusterEventLog.create(), "cluster-event-log", Props.empty());
    system.systemActorOf(FleetMeters.create(registry, gpuStates, gpuReports), "fleet-meters", Props.empty());
  }
}
