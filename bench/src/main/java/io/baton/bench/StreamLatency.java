package io.baton.bench;

import io.baton.workers.engine.Generation;
import io.baton.workers.engine.GenerationRequest;
import io.baton.workers.engine.ReferenceEngine;
import io.baton.workers.engine.SamplingParams;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.locks.LockSupport;

/**
 * Time to first token and inter-token latency of concurrent generations, each on a thread of its
 * own that timestamps every token as it arrives: streaming chat completions over HTTP, or the
 * reference engine called in-process with the node's simulated timing, paced as the worker's runner
 * paces it (wait the prefill, then step, hand out the token, wait the decode time, step, ...).
 */
final class StreamLatency {
  static final double TEMPERATURE = 0.8;

  /**
   * Milliseconds: one per stream (TTFT), one per token after the first (ITL); for HTTP streams also
   * the time to the response's headers (the session is recorded) and the session ids.
   */
  record Samples(List<Double> ttft, List<Double> itl, List<Double> headers, List<String> sessions,
      List<Instant> started) {
    static Samples of(double ttft, List<Double> itl) {
      return new Samples(List.of(ttft), itl, List.of(), List.of(), List.of());
    }

    static Samples merge(List<Samples> all) {
      Samples merged = new Samples(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>(),
          new ArrayList<>());
      all.forEach(s -> {
        merged.ttft.addAll(s.ttft);
        merged.itl.addAll(s.itl);
        merged.headers.addAll(s.headers);
        merged.sessions.addAll(s.sessions);
        merged.started.addAll(s.started);
      });
      return merged;
    }

    int streams() {
      return ttft.size();
    }
  }

  /** One generation: how it is started and read; {@code i} makes its prompt and seed differ. */
  interface Stream {
    Samples run(int i) throws Exception;
  }

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(10)).build();
  private final int maxTokens;

  StreamLatency(int maxTokens) {
    this.maxTokens = maxTokens;
  }

  static String prompt(int i) {
    return "Tell me about stream " + i + " of the bench.";
  }

  /** The chat template's rendering of one user message (http-api's ChatFormat.GENERIC). */
  static String rendered(int i) {
    return "user: " + prompt(i) + "\nassistant:";
  }

  /** {@code rounds} rounds of {@code concurrency} generations started together. */
  Samples measure(Stream stream, int concurrency, int rounds, int salt) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(concurrency);
    try {
      List<Samples> all = new ArrayList<>();
      for (int r = 0; r < rounds; r++) {
        CountDownLatch gate = new CountDownLatch(1);
        List<Future<Samples>> runs = new ArrayList<>();
        for (int c = 0; c < concurrency; c++) {
          int i = salt + r * concurrency + c;
          runs.add(pool.submit(() -> {
            gate.await();
            return stream.run(i);
          }));
        }
        gate.countDown();
        for (Future<Samples> f : runs) {
          all.add(f.get());
        }
      }
      return Samples.merge(all);
    } finally {
      pool.shutdownNow();
    }
  }

  /** A streaming chat completion over HTTP, timed at the client. */
  Stream api(String baseUrl) {
    return i -> {
      String body = "{\"model\":\"" + BenchNode.MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt(i)
          + "\"}],\"max_tokens\":" + maxTokens + ",\"seed\":" + i + ",\"temperature\":" + TEMPERATURE
          + ",\"stream\":true}";
      HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + "/v1/chat/completions"))
          .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
      List<Double> itl = new ArrayList<>(maxTokens);
      double ttft = -1;
      Instant startedAt = Instant.now();
      long start = System.nanoTime();
      HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
      long headersAt = System.nanoTime();
      try (BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
        if (response.statusCode() != 200) {
          throw new IllegalStateException("stream " + i + " answered " + response.statusCode() + ": "
              + String.join("\n", lines.lines().toList()));
        }
        long previous = 0;
        String line;
        while ((line = lines.readLine()) != null && !line.equals("data: [DONE]")) {
          // A token's chunk: not the role chunk, no finish reason yet.
          if (!line.startsWith("data: ") || line.contains("\"role\"") || !line.contains("\"finish_reason\":null")) {
            continue;
          }
          long now = System.nanoTime();
          if (ttft < 0) {
            ttft = millis(now - start);
          } else {
            itl.add(millis(now - previous));
          }
          previous = now;
        }
      }
      if (itl.size() + 1 != maxTokens) {
        throw new IllegalStateException("stream " + i + " delivered " + (ttft < 0 ? 0 : itl.size() + 1) + " of "
            + maxTokens + " tokens");
      }
      return new Samples(List.of(ttft), itl, List.of(millis(headersAt - start)),
          List.of(response.headers().firstValue("x-baton-session-id").orElseThrow()), List.of(startedAt));
    };
  }

  /** The reference engine in-process, the generation spread over {@code engines} as over GPUs. */
  Stream reference(List<ReferenceEngine> engines) {
    return i -> {
      ReferenceEngine engine = engines.get(Math.floorMod(i, engines.size()));
      List<Integer> prompt = engine.tokenizer().encodeToList(rendered(i));
      List<Double> itl = new ArrayList<>(maxTokens);
      double ttft = 0;
      long start = System.nanoTime();
      Generation g = engine.start(GenerationRequest.fresh(prompt, new SamplingParams(TEMPERATURE, 1.0, i)));
      park(g.prefill().simulated());
      long previous = 0;
      for (int t = 0; t < maxTokens; t++) {
        Generation.Step step = g.step();
        long now = System.nanoTime();
        if (t == 0) {
          ttft = millis(now - start);
        } else {
          itl.add(millis(now - previous));
        }
        previous = now;
        if (t + 1 < maxTokens) {
          park(step.simulated());
        }
      }
      return Samples.of(ttft, itl);
    };
  }

  private static void park(Duration d) {
    long deadline = System.nanoTime() + d.toNanos();
    long left;
    while ((left = deadline - System.nanoTime()) > 0) {
      LockSupport.parkNanos(left);
    }
  }

  static double millis(long nanos) {
    return nanos / 1e6;
  }

  /** Nearest rank. */
  static double percentile(List<Double> values, double p) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int rank = (int) Math.ceil(p * sorted.size());
    return sorted.get(Math.max(0, Math.min(sorted.size(), rank) - 1));
  }

  static double mean(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
  }
}
