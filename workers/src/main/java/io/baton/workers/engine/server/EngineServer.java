package io.baton.workers.engine.server;

import io.baton.workers.engine.EngineSettings;
import io.baton.workers.engine.ModelSpec;
import io.baton.workers.engine.ReferenceEngine;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.stream.Materializer;

/**
 * The reference engine served over HTTP in its own process ({@code baton engine serve}): from the
 * agent's side, exactly what a vLLM server on a real GPU is, a process that can die, hang or be
 * restarted.
 */
public final class EngineServer {
  /**
   * @param gpuUuid the NVIDIA UUID this process stands for (simulated), or null
   * @param pciBusId the PCI bus id it stands for (simulated), or null
   * @param faults whether {@code /baton/hang} and {@code /baton/resume} exist
   */
  public record Options(String model, String host, int port, String gpuUuid, String pciBusId, boolean faults) {}

  private EngineServer() {}

  public static CompletionStage<ServerBinding> start(ActorSystem<?> system, EngineSettings settings, Options options) {
    ModelSpec spec = settings.model(options.model()).orElseThrow(() -> new IllegalArgumentException(
        "no model '" + options.model() + "' in baton.workers.engine.models; the shipped ones are "
            + settings.models().stream().map(ModelSpec::id).toList()));
    ReferenceEngine engine = settings.engine(spec.id(), e -> {});
    Executor compute = system.dispatchers().lookup(DispatcherSelector.blocking());
    // Simulated steps end on this clock, to the microsecond: Pekko's scheduler ticks every 10 ms.
    ScheduledThreadPoolExecutor clock = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "engine-clock");
      t.setDaemon(true);
      return t;
    });
    system.getWhenTerminated().thenRun(clock::shutdownNow);
    ServedEngine served = new ServedEngine(engine, compute, clock);
    EngineRoutes routes = new EngineRoutes(served, options, Materializer.matFromSystem(system));
    return Http.get(system).newServerAt(options.host(), options.port()).bind(routes.routes());
  }
}
