package io.baton.orchestrator;

import com.typesafe.config.Config;
import io.baton.actors.ActorsSettings;
import io.baton.actors.Entities;
import io.baton.actors.app.ModelCatalog;
import io.baton.actors.app.SessionService;
import io.baton.actors.app.Tenants;
import io.baton.actors.queue.AdmissionQueue;
import io.baton.actors.queue.QueueBoard;
import io.baton.actors.queue.QueueSettings;
import io.baton.actors.queue.QueueSummary;
import io.baton.actors.worker.GpuStatus;
import io.baton.actors.worker.GpuWorker;
import io.baton.actors.worker.GpuWorkerState;
import io.baton.http.HttpServices;
import io.baton.http.HttpSettings;
import io.baton.http.metrics.HttpMetrics;
import io.baton.orchestrator.batch.BatchDrivers;
import io.baton.orchestrator.batch.BatchWiring;
import io.baton.orchestrator.engines.ConfiguredFleet;
import io.baton.orchestrator.engines.EngineProcesses;
import io.baton.orchestrator.engines.ExternalFleet;
import io.baton.orchestrator.feed.NodeFeed;
import io.baton.orchestrator.feed.NodeGpuHooks;
import io.baton.orchestrator.fleet.FleetController;
import io.baton.orchestrator.fleet.FleetTiming;
import io.baton.orchestrator.fleet.NodeLossWatch;
import io.baton.orchestrator.observe.NodeObservability;
import io.baton.orchestrator.placement.PlacementPolicy;
import io.baton.orchestrator.placement.Placer;
import io.baton.orchestrator.queue.NodeQueueHooks;
import io.baton.orchestrator.queue.QueueMeters;
import io.baton.persistence.PersistenceSettings;
import io.baton.persistence.Schema;
import io.baton.persistence.files.FileStore;
import io.baton.persistence.kv.KvBlockStore;
import io.baton.workers.WorkersSettings;
import io.baton.workers.agent.AgentCommand;
import io.baton.workers.agent.AgentStatus;
import io.baton.workers.agent.GpuReport;
import io.baton.workers.agent.ResumeCostModel;
import io.baton.workers.agent.WorkerAgent;
import io.baton.workers.engine.ModelSpec;
import io.baton.workers.engine.ServedModels;
import io.baton.workers.engine.remote.ConfiguredGpu;
import io.baton.workers.host.GpuInventory;
import io.baton.workers.host.KernelLogSettings;
import io.baton.workers.host.KernelLogWatcher;
import io.baton.workers.host.SimulatedGpus;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.http.javadsl.Http;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The actors one node runs beside its sharded entities: the GPU topics, its placer, its worker
 * agent and (as a cluster singleton) the fleet controller. Started in two steps, because entities
 * need the placer before the node joins the cluster, and the agent needs the cluster to register.
 */
public final class NodeServices {
  private static final Logger log = LoggerFactory.getLogger(NodeServices.class);

  private final ActorRef<Topic.Command<GpuWorkerState>> gpuStates;
  private final ActorRef<Topic.Command<GpuReport>> gpuReports;
  private final ActorRef<Placer.Command> placer;
  private final KvBlockStore store;
  private FileStore files;
  private HttpMetrics httpMetrics;
  private SessionService sessions;
  private NodeFeed feed;
  private final WorkersSettings workers;
  private final ServedModels served;
  private final String nodeId;
  private final PrometheusMeterRegistry metrics;
  private ActorRef<AgentCommand> agent;
  private int gpuCount;
  private EngineProcesses engineProcesses;

  private NodeServices(ActorRef<Topic.Command<GpuWorkerState>> gpuStates, ActorRef<Topic.Command<GpuReport>> gpuReports,
      ActorRef<Placer.Command> placer, KvBlockStore store, WorkersSettings workers, ServedModels served, String nodeId,
      PrometheusMeterRegistry metrics) {
    this.gpuStates = gpuStates;
    this.gpuReports = gpuReports;
    this.placer = placer;
    this.store = store;
    this.workers = workers;
    this.served = served;
    this.nodeId = nodeId;
    this.metrics = metrics;
  }

  /** Topics, placer and entities; call before joining the cluster. */
  public static NodeServices start(ActorSystem<?> system, Config config, PersistenceSettings persistence)
      throws Exception {
    String nodeId = OrchestratorSettings.fromConfig(config).nodeId();
    WorkersSettings workers = WorkersSettings.fromConfig(config);
    // Loaded once, before anything serves: a missing tokenizer.json stops the node here, named.
    ServedModels served = ServedModels.load(workers.models(),
        workers.engine().models().stream().map(ModelSpec::id).toList());
    FleetTiming timing = FleetTiming.from(workers.agent(), config);
    NodeFeed feed = NodeFeed.start(system, config);
    ActorRef<Topic.Command<GpuWorkerState>> gpuStates = system.systemActorOf(
        Topic.create(GpuWorkerState.class, GpuWorker.STATE_TOPIC), "gpu-states", Props.empty());
    ActorRef<Topic.Command<GpuReport>> gpuReports = system.systemActorOf(
        Topic.create(GpuReport.class, GpuReport.TOPIC), "gpu-reports", Props.empty());
    PlacementPolicy policy = new PlacementPolicy(timing.reportStaleAfter(), ResumeCostModel.fromConfig(config),
        id -> workers.engine().model(id).map(ModelSpec::info));
    PrometheusMeterRegistry metrics = newRegistry(nodeId);
    NodeObservability.start(system, metrics, gpuStates, gpuReports);
    HttpMetrics httpMetrics = new HttpMetrics(metrics);
    QueueSettings queueSettings = QueueSettings.fromConfig(config);
    ActorRef<Topic.Command<QueueSummary>> queueSummaries = system.systemActorOf(
        Topic.create(QueueSummary.class, QueueSummary.TOPIC), "queue-summaries", Props.empty());
    QueueBoard queues = new QueueBoard(queueSettings.staleAfter());
    QueueMeters queueMeters = new QueueMeters(metrics, queues);
    system.systemActorOf(QueueBoard.feeder(queues, queueSummaries, queueMeters::heard), "queue-board", Props.empty());
    ActorRef<Placer.Command> placer =
        system.systemActorOf(Placer.create(nodeId, policy, gpuReports, queues, metrics), "placer", Props.empty());
    FileStore files = FileStore
        .create(Schema.session(system), persistence).toCompletableFuture().get(1, TimeUnit.MINUTES);
    Tenants tenants = Tenants.fromConfig(config);
    SessionService sessions = new SessionService(system, models(config, workers, served), tenants,
        HttpSettings.fromConfig(config).maxTokens(), httpMetrics, queues, queueSettings);
    ActorRef<BatchDrivers.Command> batches = BatchWiring.drivers(system, config, sessions, files, metrics, httpMetrics);
    ActorRef<NodeLossWatch.Command> nodeWatch = system.systemActorOf(NodeLossWatch.create(nodeId, gpuReports,
        address -> placer.tell(new Placer.ForgetNode(address)), timing),
        "node-loss-watch", Props.empty());
    ActorsSettings actors = ActorsSettings.fromConfig(config);
    TimingRelations.check(actors, workers);
    MessageSizes.check(config, workers);
    Entities.init(system, actors,
        new NodeSessionHooks(placer, nodeWatch, metrics, ClusterSharding.get(system), queueSettings, feed.publisher()),
        new NodeGpuHooks(gpuStates, feed.publisher()), BatchDrivers.hooks(batches, feed.publisher()));
    AdmissionQueue.init(system, queueSettings,
        new NodeQueueHooks(system, gpuReports, queueSummaries, feed.publisher()),
        tenant -> tenants.of(tenant).weight());
    KvBlockStore store = KvBlockStore.create(Schema.session(system), persistence)
        .toCompletableFuture().get(1, TimeUnit.MINUTES);
    NodeServices services = new NodeServices(gpuStates, gpuReports, placer, store, workers, served, nodeId, metrics);
    services.files = files;
    services.httpMetrics = httpMetrics;
    services.sessions = sessions;
    services.feed = feed;
    return services;
  }

  /** The node's one registry, served on /metrics; every meter carries the node id. */
  private static PrometheusMeterRegistry newRegistry(String nodeId) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().commonTags("node", nodeId);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    return registry;
  }

  /** The fleet controller singleton and, on a worker node, the agent for its (simulated) GPUs. */
  void startFleet(ActorSystem<?> system, Config config) throws IOException {
    FleetController.init(system, gpuStates, gpuReports, FleetTiming.from(workers.agent(), config), feed.publisher());
    OrchestratorSettings settings = OrchestratorSettings.fromConfig(config);
    // A node without the worker role (baton node --roles orchestrator) hosts entities and serves HTTP only.
    List<WorkerAgent.AgentGpu> gpus = settings.isWorker() ? fleet(system, settings.simulatedFleet()) : List.of();
    // Engine clients hold connection pools; closed before the actor system goes, they close quietly.
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(), "engine-clients",
        () -> Http.get(system).shutdownAllConnectionPools().thenApply(done -> Done.getInstance()));
    gpuCount = gpus.size();
    if (gpus.isEmpty()) {
      return;
    }
    agent = system.systemActorOf(
        WorkerAgent.create(workers.agent(), nodeId, gpus, store, ResumeCostModel.fromConfig(config), gpuStates,
            gpuReports, metrics), "worker-agent", Props.empty());
    KernelLogSettings kernelLog = workers.kernelLog();
    if (!(kernelLog.source() instanceof KernelLogSettings.None)) {
      List<GpuInventory.Local> locals = FleetBootstrap.inventoryLocals(gpus);
      GpuInventory inventory = new GpuInventory(kernelLog.inventoryCommand(), kernelLog.inventoryTimeout(),
          SimulatedGpus.inventoryCsv(nodeId, locals));
      system.systemActorOf(KernelLogWatcher.create(kernelLog, locals, inventory, agent, metrics), "kernel-log-watcher",
          Props.empty());
    }
  }

  /** The simulated GPUs, with reference engines in this JVM or as engine server child processes. */
  private List<WorkerAgent.AgentGpu> fleet(ActorSystem<?> system, OrchestratorSettings.SimulatedFleet fleet)
      throws IOException {
    if (!workers.gpus().isEmpty()) {
      return ConfiguredFleet.agentGpus(nodeId, workers, served, system); // a real host: its configured engine servers
    }
    if (fleet.engines() == OrchestratorSettings.Engines.IN_PROCESS) {
      return FleetBootstrap.simulatedFleet(nodeId, fleet, workers);
    }
    engineProcesses = new EngineProcesses();
    system.getWhenTerminated().thenRun(engineProcesses::close);
    ModelSpec model = workers.engine().model(fleet.model()).orElseThrow(() -> new IllegalArgumentException(
        "baton.orchestrator.simulated-fleet.model " + fleet.model() + " is not in baton.workers.engine.models"));
    return ExternalFleet.start(nodeId, FleetBootstrap.simulatedGpus(nodeId, fleet), fleet.gpus() - fleet.spares(), model,
        workers, engineProcesses, fleet.engineLogDir().resolve(nodeId), system);
  }

  /** The engine server processes this node started ({@code engines = external}); none otherwise. */
  public EngineProcesses engineProcesses() {
    return engineProcesses;
  }

  /** Completes once every GPU of this node's agent is registered, logging where each stands. */
  CompletionStage<AgentStatus> registered(ActorSystem<?> system) {
    if (agent == null) {
      return CompletableFuture.completedFuture(new AgentStatus(nodeId, List.of()));
    }
    CompletableFuture<AgentStatus> done = new CompletableFuture<>();
    poll(system, done);
    return done.thenApply(status -> {
      status.gpus().forEach(g -> log.info("gpu worker={} status={} model={} host={}", g.gpuId(), g.status(),
          g.model(), g.hostId()));
      return status;
    });
  }

  private void poll(ActorSystem<?> system, CompletableFuture<AgentStatus> done) {
    status(system).whenComplete((status, error) -> {
      if (error == null && status.gpus().size() == gpuCount
          && status.gpus().stream().noneMatch(g -> g.status() == GpuStatus.UNREGISTERED)) {
        done.complete(status);
      } else if (!done.isDone()) {
        system.scheduler().scheduleOnce(Duration.ofMillis(100), () -> poll(system, done), system.executionContext());
      }
    });
  }

  /** The models this node's GPUs serve, for the HTTP API. */
  ModelCatalog models(Config config) {
    return models(config, workers, served);
  }

  static ModelCatalog models(Config config, WorkersSettings workers, ServedModels served) {
    // The reference models this node's GPUs serve: the configured GPUs' on a real host, else the
    // simulated fleet's. Every model of baton.workers.models: listing it there is serving its API.
    List<String> ids = workers.gpus().isEmpty()
        ? List.of(OrchestratorSettings.fromConfig(config).simulatedFleet().model())
        : workers.gpus().stream().map(ConfiguredGpu::model).distinct().toList();
    return new NodeModels(workers.engine().models().stream().filter(m -> ids.contains(m.id())).toList(), served.all());
  }

  /** What the HTTP layer needs from this node: models, the admin API's fleet, the metrics registry. */
  HttpServices http(ActorSystem<?> system, Config config) {
    return new HttpServices(sessions, new AgentFleet(system, this, nodeId, gpuReports), metrics,
        files, httpMetrics, feed.console());
  }

  public PrometheusMeterRegistry metrics() {
    return metrics;
  }

  /** The agent's view of this node's GPUs. */
  public CompletionStage<AgentStatus> status(ActorSystem<?> system) {
    return AskPattern.ask(agent, AgentCommand.GetStatus::new, Duration.ofSeconds(5), system.scheduler());
  }

  public ActorRef<AgentCommand> agent() {
    return agent;
  }

  public ActorRef<Placer.Command> placer() {
    return placer;
  }

  public KvBlockStore store() {
    return store;
  }

  public WorkersSettings workers() {
    return workers;
  }
}
