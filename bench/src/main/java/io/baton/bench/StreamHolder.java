package io.baton.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Flow;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The clients of {@link OpenStreams}, in a JVM of their own so that the node's heap holds only the
 * node: opens {@code count} streaming chat completions, at most {@code parallel} of them still
 * waiting for their first token at a time, and holds them open until its stdin closes. Prints
 * {@code progress ...} lines, the first few errors, then one {@code result open=.. errors=.. ended=..}
 * once every stream is open or failed (or the time is up).
 *
 * <p>Arguments: base URL, count, max_tokens, parallel, timeout seconds.
 */
public final class StreamHolder {
  private static final int ERRORS_SHOWN = 10;

  private static final AtomicInteger open = new AtomicInteger();
  private static final AtomicInteger errors = new AtomicInteger();
  private static final AtomicInteger ended = new AtomicInteger();

  private StreamHolder() {}

  public static void main(String[] args) throws Exception {
    String baseUrl = args[0];
    int count = Integer.parseInt(args[1]);
    int maxTokens = Integer.parseInt(args[2]);
    Semaphore opening = new Semaphore(Integer.parseInt(args[3]));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(args[4]));
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(20)).build();
    long start = System.nanoTime();
    long lastReport = start;
    for (int i = 0; i < count && acquire(opening, deadline); i++) {
      String body = "{\"model\":\"baton-small\",\"messages\":[{\"role\":\"user\",\"content\":\"hold stream " + i
          + "\"}],\"max_tokens\":" + maxTokens + ",\"seed\":" + i + ",\"stream\":true}";
      HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + "/v1/chat/completions"))
          .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
      Lines lines = new Lines(i, opening);
      http.sendAsync(request, info -> {
        lines.status = info.statusCode();
        return HttpResponse.BodySubscribers.fromLineSubscriber(lines);
      }).whenComplete((r, error) -> {
        if (error != null) {
          lines.fail("request failed: " + error);
        }
      });
      if (System.nanoTime() - lastReport > TimeUnit.SECONDS.toNanos(5)) {
        lastReport = System.nanoTime();
        report("progress", start);
      }
    }
    while (open.get() + errors.get() + ended.get() < count && System.nanoTime() < deadline) {
      Thread.sleep(200);
      if (System.nanoTime() - lastReport > TimeUnit.SECONDS.toNanos(5)) {
        lastReport = System.nanoTime();
        report("progress", start);
      }
    }
    report("result", start);
    // Hold every stream open until the bench closes stdin; exiting drops them all.
    while (System.in.read() >= 0) {
      // nothing to read; wait for the end
    }
    System.exit(0);
  }

  private static boolean acquire(Semaphore opening, long deadline) throws InterruptedException {
    while (!opening.tryAcquire(1, TimeUnit.SECONDS)) {
      if (System.nanoTime() > deadline) {
        return false;
      }
    }
    return true;
  }

  private static synchronized void report(String what, long start) {
    System.out.printf("%s open=%d errors=%d ended=%d seconds=%.1f%n", what, open.get(), errors.get(), ended.get(),
        (System.nanoTime() - start) / 1e9);
    System.out.flush();
  }

  /** One stream's body: counts it open at its first token; reports a refusal or an early end. */
  private static final class Lines implements Flow.Subscriber<String> {
    private final int index;
    private final Semaphore opening;
    private final StringBuilder refusal = new StringBuilder();
    volatile int status;
    private boolean counted;
    private boolean failed;

    Lines(int index, Semaphore opening) {
      this.index = index;
      this.opening = opening;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
      subscription.request(Long.MAX_VALUE);
    }

    @Override
    public synchronized void onNext(String line) {
      if (status != 200) {
        refusal.append(line);
      } else if (!counted && line.startsWith("data: ") && line.contains("\"content\"") && !line.contains("\"role\"")) {
        counted = true;
        open.incrementAndGet();
        opening.release();
      }
    }

    @Override
    public void onError(Throwable error) {
      fail("stream broke: " + error);
    }

    @Override
    public synchronized void onComplete() {
      if (status != 200) {
        fail("answered " + status + ": " + refusal);
      } else if (!counted) {
        fail("ended before its first token");
      } else if (!failed) {
        failed = true;
        open.decrementAndGet();
        ended.incrementAndGet();
        System.out.println("ended: stream " + index + " ended while it should be held open");
      }
    }

    synchronized void fail(String why) {
      if (failed) {
        return;
      }
      failed = true;
      if (counted) {
        open.decrementAndGet();
      } else {
        opening.release();
      }
      if (errors.incrementAndGet() <= ERRORS_SHOWN) {
        System.out.println("error: stream " + index + " " + why.replace('\n', ' '));
      }
    }
  }
}
