package io.baton.orchestrator.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.baton.persistence.BatonConfig;
import io.baton.workers.WorkersSettings;
import io.baton.workers.engine.server.EngineServer;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code baton engine}: the reference engine as a separate process, as a GPU's engine server is. */
@Command(name = "engine", mixinStandardHelpOptions = true, description = "Reference engine servers.",
    subcommands = EngineCommand.Serve.class)
public final class EngineCommand {

  @Command(name = "serve", mixinStandardHelpOptions = true,
      description = "Serve one reference model over vLLM's OpenAI-compatible wire (/v1/completions with token"
          + " ids, /tokenize, /detokenize, /health, /v1/models).")
  public static final class Serve implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(EngineCommand.class);
    /** The line a parent waits for, followed by the engine's base URL. */
    public static final String READY = "baton-engine-ready ";

    @Option(names = "--model", defaultValue = "baton-small", description = "Model id (default ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--port", defaultValue = "9100", description = "HTTP port; 0 picks a free one (default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Interface to bind (default ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--gpu-uuid", description = "The NVIDIA UUID this process stands for (simulated).")
    String gpuUuid;

    @Option(names = "--pci-bus-id", description = "The PCI bus id this process stands for (simulated).")
    String pciBusId;

    @Option(names = "--faults", description = "Serve /baton/hang and /baton/resume, for tests and dev.")
    boolean faults;

    @Option(names = "--parent-pid", description = "Exit when this process exits (a node that started this engine).")
    Long parentPid;

    @Override
    public Integer call() throws Exception {
      // An engine server is no cluster member: a plain local actor system, and Baton's engine settings.
      Config config = BatonConfig.load(ConfigFactory.parseMap(Map.of("pekko.actor.provider", "local",
          "pekko.coordinated-shutdown.exit-jvm", "on")));
      ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "baton-engine", config);
      EngineServer.Options options = new EngineServer.Options(model, host, port, gpuUuid, pciBusId, faults);
      ServerBinding binding;
      try {
        binding = EngineServer.start(system, WorkersSettings.fromConfig(config).engine(), options)
            .toCompletableFuture().get();
      } catch (Exception e) {
        system.terminate();
        throw e;
      }
      // The ready line carries the bound address, so a parent that asked for port 0 learns it.
      log.info("engine ready url=http://{}:{} model={} gpu_uuid={} pci_bus_id={} pid={}", host,
          binding.localAddress().getPort(), model, gpuUuid, pciBusId, ProcessHandle.current().pid());
      // For a parent that reads this process's output: one line, whatever the logging setup.
      System.out.println(READY + "http://" + host + ":" + binding.localAddress().getPort());
      System.out.flush();
      if (parentPid != null) {
        // A node killed with SIGKILL cannot stop its engines: they follow it instead of lingering.
        ProcessHandle.of(parentPid).map(ProcessHandle::onExit).ifPresentOrElse(
            exit -> exit.thenRun(system::terminate), system::terminate);
      }
      system.getWhenTerminated().toCompletableFuture().join();
      return 0;
    }
  }
}
