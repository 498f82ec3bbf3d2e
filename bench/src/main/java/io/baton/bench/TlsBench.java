package io.baton.bench;

import io.baton.orchestrator.cluster.ClusterOptions;
import io.baton.orchestrator.cluster.LocalCluster;
import io.baton.orchestrator.cluster.NodeProcess;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * What cluster TLS costs: the same streaming completions through a 2-node cluster with node-to-node
 * TLS and through one without, in the same run. Requests alternate between the nodes, so the
 * session entity, the GPU and the client's node differ for most of them and the tokens cross
 * Artery once or twice on their way (runner to entity, entity to follower). The journal and
 * failover benchmarks run on one node, where nothing crosses Artery, so they cannot show it.
 */
@Command(name = "tls", mixinStandardHelpOptions = true,
    description = "Streaming completions through a 2-node cluster with and without node-to-node TLS.")
final class TlsBench implements Callable<Integer> {
  @Option(names = "--requests", defaultValue = "200", description = "Measured requests per setting.")
  int requests;

  @Option(names = "--concurrency", defaultValue = "8")
  int concurrency;

  @Option(names = "--max-tokens", defaultValue = "64")
  int maxTokens;

  private record Sample(double ttftMs, double totalMs) {}

  private record Result(String setting, List<Sample> samples) {
    double p(List<Double> values, double q) {
      List<Double> sorted = new ArrayList<>(values);
      Collections.sort(sorted);
      return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(q * sorted.size()) - 1));
    }

    List<Double> ttft() {
      return samples.stream().map(Sample::ttftMs).toList();
    }

    List<Double> total() {
      return samples.stream().map(Sample::totalMs).toList();
    }
  }

  @Override
  public Integer call() throws Exception {
    List<Result> results = new ArrayList<>();
    for (boolean tls : new boolean[] {false, true}) {
      results.add(measure(tls));
    }
    System.out.println("| node-to-node TLS | requests | TTFT ms p50 / p99 | stream ms p50 / p99 |");
    System.out.println("|---|---:|---:|---:|");
    for (Result r : results) {
      System.out.printf("| %s | %d | %.1f / %.1f | %.1f / %.1f |%n", r.setting(), r.samples().size(),
          r.p(r.ttft(), 0.5), r.p(r.ttft(), 0.99), r.p(r.total(), 0.5), r.p(r.total(), 0.99));
    }
    Result off = results.get(0);
    Result on = results.get(1);
    System.out.printf("%nratio on/off, p50: TTFT %.2f, whole stream %.2f%n",
        on.p(on.ttft(), 0.5) / off.p(off.ttft(), 0.5), on.p(on.total(), 0.5) / off.p(off.total(), 0.5));
    return 0;
  }

  private Result measure(boolean tls) throws Exception {
    String setting = tls ? "on (TLS 1.3, mutual)" : "off (plain TCP)";
    System.err.println("bench tls: starting a 2-node cluster, TLS " + (tls ? "on" : "off"));
    Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target", "bench-tls")), tls ? "on-" : "off-");
    ClusterOptions options = ClusterOptions.defaults(dir, 2, 2).withSpares(0).withNodeConfig(Map.of(
        "baton.orchestrator.cluster.tls.enabled", tls ? "on" : "off",
        "baton.workers.engine.timing.decode-per-token", "5ms",
        "baton.workers.agent.sessions-per-gpu", String.valueOf(concurrency * 2)));
    try (LocalCluster cluster = LocalCluster.start(options)) {
      List<NodeProcess> nodes = cluster.nodes();
      run(nodes, 2 * concurrency);
      List<Sample> samples = run(nodes, requests);
      System.err.println("bench tls: " + setting + ": " + samples.size() + " streams measured");
      return new Result(setting, samples);
    }
  }

  private List<Sample> run(List<NodeProcess> nodes, int count) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    ExecutorService pool = Executors.newFixedThreadPool(concurrency);
    try {
      List<Future<Sample>> futures = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        String base = nodes.get(i % nodes.size()).httpUrl();
        int seed = i;
        futures.add(pool.submit(() -> stream(http, base, seed)));
      }
      List<Sample> out = new ArrayList<>();
      for (Future<Sample> f : futures) {
        out.add(f.get());
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }

  private Sample stream(HttpClient http, String base, int seed) throws Exception {
    String body = "{\"model\":\"baton-small\",\"prompt\":\"the cluster talks\",\"max_tokens\":" + maxTokens
        + ",\"seed\":" + seed + ",\"stream\":true}";
    long start = System.nanoTime();
    HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/completions"))
        .header("Content-Type", "application/json").timeout(Duration.ofSeconds(60))
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofInputStream());
    if (r.statusCode() != 200) {
      throw new IllegalStateException("completion answered " + r.statusCode() + ": " + new String(r.body().readAllBytes()));
    }
    long first = 0;
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        if (first == 0 && line.startsWith("data: {")) {
          first = System.nanoTime();
        }
        if (line.equals("data: [DONE]")) {
          break;
        }
      }
    }
    long end = System.nanoTime();
    return new Sample((first - start) / 1e6, (end - start) / 1e6);
  }
}
