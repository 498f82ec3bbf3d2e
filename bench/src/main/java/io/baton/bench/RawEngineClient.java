package io.baton.bench;

import io.baton.workers.engine.GenerationRequest;
import io.baton.workers.engine.remote.EngineDialect;
import io.baton.workers.engine.remote.EngineKind;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;

/**
 * The floor of the remote path: the same requests sent to the same engine servers over a plain
 * socket, one bench thread per stream, timing the first token event and reading the stream to its
 * end (so the servers carry the same load as on Baton's path). No client does less work, so what
 * Baton's client adds is its TTFT minus this one's, in the same run.
 */
final class RawEngineClient {
  private final int maxTokens;

  RawEngineClient(int maxTokens) {
    this.maxTokens = maxTokens;
  }

  /** TTFT of each stream, in ms; a stream that fails counts as NaN. */
  List<Double> ttft(List<String> urls, int streams, IntFunction<GenerationRequest> requests) throws Exception {
    ExecutorService threads = Executors.newFixedThreadPool(streams);
    try {
      List<Future<Double>> all = new ArrayList<>();
      for (int i = 0; i < streams; i++) {
        URI url = URI.create(urls.get(i % urls.size()));
        GenerationRequest request = requests.apply(i);
        all.add(threads.submit(() -> one(url, request)));
      }
      List<Double> out = new ArrayList<>();
      for (Future<Double> f : all) {
        out.add(f.get());
      }
      return out;
    } finally {
      threads.shutdownNow();
    }
  }

  private double one(URI url, GenerationRequest request) {
    byte[] body = EngineKind.BATON.dialect().generateBody(new EngineDialect.Ask("baton-small",
        request.prompt(), 0, maxTokens, request.sampling())).toString().getBytes(StandardCharsets.UTF_8);
    byte[] head = ("POST /v1/completions HTTP/1.1\r\nHost: " + url.getHost() + "\r\nContent-Type: application/json\r\n"
        + "Connection: close\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    long start = System.nanoTime();
    try (Socket socket = new Socket(url.getHost(), url.getPort())) {
      socket.setTcpNoDelay(true);
      OutputStream out = socket.getOutputStream();
      out.write(head);
      out.write(body);
      out.flush();
      InputStream in = socket.getInputStream();
      byte[] buf = new byte[16384];
      StringBuilder seen = new StringBuilder();
      double first = Double.NaN;
      for (int n; (n = in.read(buf)) > 0; ) {
        if (Double.isNaN(first)) {
          seen.append(new String(buf, 0, n, StandardCharsets.UTF_8));
          if (seen.indexOf("data: {") >= 0) {
            first = (System.nanoTime() - start) / 1e6;
            seen.setLength(0);
          }
        } else if (new String(buf, 0, n, StandardCharsets.UTF_8).contains("[DONE]")) {
          break;
        }
      }
      return first;
    } catch (IOException e) {
      return Double.NaN;
    }
  }
}
