package io.baton.orchestrator;

import com.typesafe.config.Config;
import io.baton.actors.ActorsSettings;
import io.baton.actors.Entities;
import io.baton.http.HttpServer;
import io.baton.http.HttpSettings;
import io.baton.orchestrator.cluster.ClusterTls;
import io.baton.persistence.BatonConfig;
import io.baton.persistence.PersistenceSettings;
import io.baton.persistence.Schema;
import io.baton.persistence.cassandra.EmbeddedCassandra;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Baton process: Cassandra (embedded or external), the actor system joined to its cluster,
 * the schema, sharded entities and the HTTP server, started in that order. Each step that can fail
 * fails with a message that says what to do.
 */
public final class BatonNode implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(BatonNode.class);
  private static final Duration STEP_TIMEOUT = Duration.ofMinutes(2);

  private final ActorSystem<Void> system;
  private final EmbeddedCassandra cassandra;
  private final List<String> contactPoints;
  private final ServerBinding http;
  private final NodeServices services;

  private BatonNode(ActorSystem<Void> system, EmbeddedCassandra cassandra, List<String> contactPoints, ServerBinding http,
      NodeServices services) {
    this.system = system;
    this.cassandra = cassandra;
    this.contactPoints = contactPoints;
    this.http = http;
    this.services = services;
  }

  /** The placer, agent and topics this node runs. */
  public NodeServices services() {
    return services;
  }

  /** Baton's layered config with {@code overrides} on top, so substitutions see the overrides. */
  public static Config loadConfig(Config overrides) {
    return BatonConfig.load(overrides);
  }

  public static BatonNode start(Config config) throws Exception {
    HttpSettings.fromConfig(config); // credentials first: a node that must not start fails before Cassandra does
    PersistenceSettings persistence = PersistenceSettings.fromConfig(config);
    EmbeddedCassandra cassandra = null;
    List<String> contactPoints = persistence.contactPoints();
    if (persistence.usesEmbeddedCassandra()) {
      cassandra = EmbeddedCassandra.start(persistence.embedded().toOptions());
      contactPoints = List.of(cassandra.contactPoint());
    } else {
      log.info("using external Cassandra contact-points={}", contactPoints);
    }
    Config full = ClusterTls.apply(
        RememberStore.resolve(PersistenceSettings.connectionConfig(contactPoints).withFallback(config)));
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "baton", full);
    try {
      if (cassandra != null) {
        cassandra.stopAfter(system.getWhenTerminated());
      }
      log.info("creating schema if missing (first start on a fresh Cassandra takes ~20 s)");
      await(Schema.create(system), "creating the schema in Cassandra " + contactPoints);
      NodeServices services = NodeServices.start(system, full, persistence);
      AtomicBoolean ready = new AtomicBoolean();
      ServerBinding http = await(HttpServer.start(system, HttpSettings.fromConfig(full), ready::get,
          services.http(system, full)), "binding HTTP");
      joinCluster(system, full);
      services.startFleet(system, full);
      await(services.registered(system), "registering the simulated GPUs");
      ready.set(true);
      return new BatonNode(system, cassandra, contactPoints, http, services);
    } catch (Exception e) {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(1, TimeUnit.MINUTES);
      if (cassandra != null) {
        cassandra.close();
      }
      throw e;
    }
  }

  private static void joinCluster(ActorSystem<Void> system, Config config) throws Exception {
    Cluster cluster = Cluster.get(system);
    List<String> seeds = config.getStringList("pekko.cluster.seed-nodes");
    log.info("joining cluster self={} seeds={}", cluster.selfMember().address(), seeds.isEmpty() ? "self" : seeds);
    if (seeds.isEmpty()) {
      cluster.manager().tell(Join.create(cluster.selfMember().address()));
    }
    CompletableFuture<Void> up = new CompletableFuture<>();
    // The classic extension: the typed one has no registerOnMemberUp.
    org.apache.pekko.cluster.Cluster.get(system.classicSystem()).registerOnMemberUp(() -> up.complete(null));
    await(up, "joining the cluster (check pekko.cluster.seed-nodes and that the seeds are running)");
  }

  private static <T> T await(CompletionStage<T> stage, String what) throws Exception {
    try {
      return stage.toCompletableFuture().get(STEP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new IllegalStateException("Timed out after " + STEP_TIMEOUT.toSeconds() + " s " + what, e);
    }
  }

  public ActorSystem<Void> system() {
    return system;
  }

  public List<String> contactPoints() {
    return contactPoints;
  }

  public String httpAddress() {
    return "http://" + http.localAddress().getHostString() + ":" + http.localAddress().getPort();
  }

  /** Where the embedded Cassandra keeps its data, or null when Baton uses an external one. */
  public java.nio.file.Path embeddedCassandraDir() {
    return cassandra == null ? null : cassandra.baseDir();
  }

  public String clusterAddress() {
    return Cluster.get(system).selfMember().address().toString();
  }

  /** Why the node stopped, once it has: a JVM exit (Ctrl-C, SIGTERM), a downing, a leave. */
  public Optional<CoordinatedShutdown.Reason> shutdownReason() {
    return CoordinatedShutdown.get(system).getShutdownReason();
  }

  public void awaitTermination() {
    system.getWhenTerminated().toCompletableFuture().join();
  }

  @Override
  public void close() {
    system.terminate();
    awaitTermination();
    if (cassandra != null) {
      cassandra.close();
    }
  }
}
