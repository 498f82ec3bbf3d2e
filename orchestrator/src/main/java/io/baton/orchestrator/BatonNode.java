package io.baton.orchestrator;

import com.typesafe.config.Config;
import io.baton.actors.ActorsSettings;
import io.baton.actors.Entities;
import io.baton.http.HttpServer;
import io.baton.http.HttpSettings;
import io.baton.orchestrator.cluster.ClusterTls;
import io.baton.orchestrator.observe.NodeLogging;
import io.baton.persistence.BatonConfig;
import io.baton.persistence.PersistenceSettings;
import io.baton.orchestrator.formation.ClusterFormation;
import io.baton.orchestrator.formation.ManagementPort;
import io.baton.orchestrator.health.NodeReadiness;
import io.baton.persistence.Schema;
import io.baton.persistence.SchemaCheck;
import io.baton.persistence.SchemaMissingException;
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
import org.apache.pekko.http.javadsl.model.Uri;
import org.apache.pekko.management.javadsl.PekkoManagement;
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
  private final Uri management;

  private BatonNode(ActorSystem<Void> system, EmbeddedCassandra cassandra, List<String> contactPoints, ServerBinding http,
      NodeServices services, Uri management) {
    this.management = management;
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
    NodeLogging.identify(config.getString("baton.orchestrator.node-id")); // on every log line from here on
    HttpSettings.fromConfig(config); // credentials first: a node that must not start fails before Cassandra does
    TimingRelations.checkHealth(config);
    PersistenceSettings persistence = PersistenceSettings.fromConfig(config);
    ClusterFormation formation = ClusterFormation.fromConfig(config);
    EmbeddedCassandra cassandra = null;
    List<String> contactPoints = persistence.contactPoints();
    if (persistence.usesEmbeddedCassandra()) {
      cassandra = EmbeddedCassandra.start(persistence.embedded().toOptions());
      contactPoints = List.of(cassandra.contactPoint());
    } else {
      log.info("using external Cassandra contact-points={}", contactPoints);
    }
    Config full = ClusterTls.apply(RememberStore.resolve(ManagementPort.resolve(formation.pekkoConfig()
        .withFallback(PersistenceSettings.connectionConfig(contactPoints)).withFallback(config))));
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "baton", full);
    try {
      if (cassandra != null) {
        cassandra.stopAfter(system.getWhenTerminated());
      }
      // First, so that liveness answers (and readiness says why not) while the node waits for
      // Cassandra, the schema or its seeds.
      Uri management = await(PekkoManagement.get(system.classicSystem()).start(), "starting pekko-management");
      log.info("event=management-started uri={} probes=/alive,/ready", management);
      schema(system, persistence, contactPoints);
      NodeServices services = NodeServices.start(system, full, persistence);
      AtomicBoolean ready = new AtomicBoolean();
      ServerBinding http = await(HttpServer.start(system, HttpSettings.fromConfig(full), ready::get,
          services.http(system, full)), "binding HTTP");
      joinCluster(system, formation, full.getDuration("baton.orchestrator.cluster.join-log-interval"));
      services.startFleet(system, full);
      await(services.registered(system), "registering the simulated GPUs");
      NodeReadiness.get(system.classicSystem()).gpusRegistered();
      ready.set(true);
      return new BatonNode(system, cassandra, contactPoints, http, services, management);
    } catch (Exception e) {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(1, TimeUnit.MINUTES);
      if (cassandra != null) {
        cassandra.close();
      }
      throw e;
    }
  }

  /**
   * Creates the schema (dev, tests), or, with {@code create-at-start} off (production), checks
   * that it is there and refuses to start in one line when it is missing or behind.
   */
  private static void schema(ActorSystem<Void> system, PersistenceSettings persistence, List<String> contactPoints)
      throws Exception {
    if (persistence.schemaAtStart()) {
      log.info("creating schema if missing (first start on a fresh Cassandra takes ~20 s)");
      await(Schema.create(system), "creating the schema in Cassandra " + contactPoints);
      return;
    }
    List<String> missing = await(SchemaCheck.missing(system), "reading the schema from Cassandra " + contactPoints);
    if (!missing.isEmpty()) {
      throw new SchemaMissingException("the Cassandra schema is missing or behind (" + missing.get(0)
          + (missing.size() > 1 ? " and " + (missing.size() - 1) + " more" : "") + "): run `baton schema apply"
          + " --cassandra " + String.join(",", contactPoints) + "` once, then start the node again"
          + " (baton.persistence.schema.create-at-start is off)");
    }
  }

  /**
   * Waits until this node is an Up member, however long that takes: Pekko keeps asking the seeds,
   * and a pod whose seeds are still starting must not exit. Meanwhile it says, every interval,
   * which seeds it tried, so an operator sees a wrong seed list or a blocked port.
   */
  private static void joinCluster(ActorSystem<Void> system, ClusterFormation formation, Duration logEvery)
      throws Exception {
    Cluster cluster = Cluster.get(system);
    log.info("event=cluster-joining self={} formation={} seeds={}", cluster.selfMember().address(), formation.mode(),
        formation.seeds().isEmpty() ? "self" : formation.seeds());
    if (formation.seeds().isEmpty()) {
      cluster.manager().tell(Join.create(cluster.selfMember().address()));
    }
    CompletableFuture<Void> up = new CompletableFuture<>();
    // The classic extension: the typed one has no registerOnMemberUp.
    org.apache.pekko.cluster.Cluster.get(system.classicSystem()).registerOnMemberUp(() -> up.complete(null));
    long started = System.nanoTime();
    while (true) {
      try {
        up.get(logEvery.toMillis(), TimeUnit.MILLISECONDS);
        return;
      } catch (TimeoutException stillJoining) {
        if (system.getWhenTerminated().toCompletableFuture().isDone()) {
          throw new IllegalStateException("the node stopped while joining its cluster");
        }
        log.warn("event=cluster-join-waiting waited_s={} seeds={}: no seed has let this node in yet; retrying."
                + " Check that the seeds run, that their names resolve from here and that port {} is open between"
                + " nodes", (System.nanoTime() - started) / 1_000_000_000L, formation.seeds(), formation.port());
      }
    }
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

  /** pekko-management's address: /alive, /ready, and behind the admin token /cluster and /loglevel. */
  public String managementAddress() {
    String uri = management.toString();
    return uri.endsWith("/") ? uri.substring(0, uri.length() - 1) : uri;
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
