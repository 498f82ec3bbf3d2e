package io.baton.bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.baton.orchestrator.engines.EngineProcesses;
import io.baton.persistence.BatonConfig;
import io.baton.workers.WorkersSettings;
import io.baton.workers.engine.EngineSettings;
import io.baton.workers.engine.GenerationRequest;
import io.baton.workers.engine.InferenceEngine;
import io.baton.workers.engine.ModelSpec;
import io.baton.workers.engine.ReferenceTokenizer;
import io.baton.workers.engine.SamplingParams;
import io.baton.workers.engine.remote.EngineKind;
import io.baton.workers.engine.remote.RemoteEngine;
import io.baton.workers.engine.remote.RemoteEngineSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * What driving engines as processes costs: the same generations, with the same simulated GPU
 * timing, on reference engines in this JVM and on {@code baton engine serve} processes over HTTP,
 * in the same run, at rising concurrency. The agent side is this JVM, so its CPU per token on the
 * remote path is the client's cost alone (the engines compute in their own processes).
 */
@Command(name = "engines", mixinStandardHelpOptions = true,
    description = "In-process engines against engine server processes: TTFT, ITL and agent CPU per token.")
final class EnginesBench implements Callable<Integer> {
  @Option(names = "--streams", split = ",", defaultValue = "1,32,128,500", description = "Concurrent generations per level.")
  List<Integer> levels;

  @Option(names = "--max-tokens", defaultValue = "32")
  int maxTokens;

  @Option(names = "--decode-per-token", defaultValue = "50ms", description = "Simulated decode step.")
  String decodePerToken;

  @Option(names = "--engines", defaultValue = "4", description = "Engine server processes (GPUs).")
  int engineCount;

  @Override
  public Integer call() throws Exception {
    Config config = BatonConfig.load(ConfigFactory.parseMap(Map.of("pekko.actor.provider", "local",
        "baton.workers.engine.timing.decode-per-token", decodePerToken)));
    EngineSettings settings = WorkersSettings.fromConfig(config).engine();
    ModelSpec model = settings.model("baton-small").orElseThrow();
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "bench-engines", config);
    Path logs = Files.createTempDirectory("baton-bench-engines");
    try (EngineProcesses processes = new EngineProcesses()) {
      List<InferenceEngine> local = new ArrayList<>();
      List<InferenceEngine> remote = new ArrayList<>();
      List<String> urls = new ArrayList<>();
      for (int i = 0; i < engineCount; i++) {
        local.add(settings.engine(model.id(), e -> {}));
        EngineProcesses.Launched launched = processes.launch(model.id(), "GPU-bench-" + i, "0000:0" + i + ":00",
            Map.of("baton.workers.engine.timing.decode-per-token", decodePerToken), logs.resolve("engine-" + i + ".log"),
            Duration.ofSeconds(60));
        urls.add(launched.url());
        remote.add(new RemoteEngine(new RemoteEngineSettings(EngineKind.BATON, launched.url(), model.id(),
            Duration.ofSeconds(30), 1024, null, null), model.info(), new ReferenceTokenizer(model.vocab()), system));
      }
      EngineDriver driver = new EngineDriver(maxTokens);
      RawEngineClient raw = new RawEngineClient(maxTokens);
      // Each engine server is its own JVM, warmed only by its own share of the requests: warm both
      // paths until their TTFT settles, so the table compares steady states, not JIT warm-up.
      warm("in-process", driver, local);
      warm("remote", driver, remote);
      List<String> rows = new ArrayList<>();
      for (int streams : levels) {
        EngineDriver.Result in = driver.run(local, streams, this::request);
        EngineDriver.Result out = driver.run(remote, streams, this::request);
        double floor = median(raw.ttft(urls, streams, this::request));
        System.err.printf("bench: %d streams: in-process TTFT p50 %.1f ms, remote %.1f ms%n", streams, in.ttftP50(),
            out.ttftP50());
        rows.add(String.format("| %d | %.1f / %.1f | %.1f / %.1f | **%.1f** | %.1f | %.1f | %.1f / %.1f | %.0f | %.0f | %d |",
            streams, in.ttftP50(), in.ttftP99(), out.ttftP50(), out.ttftP99(), out.ttftP50() - in.ttftP50(), floor,
            out.ttftP50() - floor, in.itlMean(),
            out.itlMean(), in.cpuMicrosPerToken(), out.cpuMicrosPerToken(), in.failed() + out.failed()));
      }
      System.out.printf("Generations of %d tokens, simulated decode %s per token, over %d engines (%d engine server"
          + " processes on the remote path); ms.%n%n", maxTokens, decodePerToken, engineCount, engineCount);
      System.out.println("| concurrent generations | in-process TTFT p50 / p99 | remote TTFT p50 / p99 | added TTFT p50"
          + " | floor: raw-socket client TTFT p50, same servers | Baton's client over the floor | ITL mean in-process / remote | this JVM's CPU µs per token, in-process (compute included) | this JVM's"
          + " CPU µs per token, remote (the agent's client only) | failed |");
      System.out.println("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
      rows.forEach(System.out::println);
    } finally {
      system.terminate();
    }
    return 0;
  }

  /** Rounds of 32 generations until two in a row agree on TTFT p50 within 10% (at least 5, at most 40). */
  private void warm(String path, EngineDriver driver, List<InferenceEngine> engines) {
    double previous = Double.NaN;
    for (int round = 1; round <= 40; round++) {
      double p50 = driver.run(engines, 32, this::request).ttftP50();
      if (round >= 5 && Math.abs(p50 - previous) <= 0.1 * previous) {
        System.err.printf("bench: %s path steady after %d warm-up rounds (TTFT p50 %.1f ms at 32)%n", path, round, p50);
        return;
      }
      previous = p50;
    }
    System.err.printf("bench: %s path not steady after 40 warm-up rounds (last TTFT p50 %.1f ms at 32); the table"
        + " may include warm-up%n", path, previous);
  }

  private static double median(List<Double> values) {
    List<Double> ok = values.stream().filter(v -> !v.isNaN()).sorted().toList();
    return ok.isEmpty() ? Double.NaN : ok.get((ok.size() - 1) / 2);
  }

  private GenerationRequest request(int i) {
    List<Integer> prompt = new ArrayList<>();
    for (int t = 0; t < 24; t++) {
      prompt.add((i * 13 + t * 7) % 200 + 1);
    }
    return GenerationRequest.fresh(prompt, new SamplingParams(0.8, 0.95, i));
  }
}
