package io.baton.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import io.baton.chaos.StreamLog.Close;
import io.baton.chaos.StreamLog.Connection;
import io.baton.chaos.StreamLog.Outcome;
import io.baton.chaos.StreamLog.Received;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client of one streaming completion: submits it to a node, reads its SSE events, and whenever
 * the connection dies (or it drops it on purpose), resumes on another node with
 * {@code GET /v1/sessions/{id}/stream} and {@code Last-Event-ID}, as an EventSource would. It keeps
 * every token event it receives; it never repairs what it sees.
 */
final class StreamClient {
  private static final Logger log = LoggerFactory.getLogger(StreamClient.class);
  /** Nodes send ": ping" every second (baton.http.keep-alive = 1s); this long without a byte: frozen or gone. */
  static final Duration SILENCE_LIMIT = Duration.ofSeconds(4);
  private static final Duration RETRY_PAUSE = Duration.ofMillis(300);

  /**
   * Closes streams that went silent, so a client on a SIGSTOPped node resumes elsewhere, and streams
   * past their client's deadline: a session that never ends still gets pings, and its client must
   * not wait for it forever.
   */
  private static final java.util.Map<Sse, Instant> OPEN = new ConcurrentHashMap<>();
  private static final Set<Sse> SILENCED = ConcurrentHashMap.newKeySet();
  private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "chaos-stream-watchdog");
    t.setDaemon(true);
    return t;
  });

  static {
    WATCHDOG.scheduleAtFixedRate(() -> OPEN.forEach((sse, deadline) -> {
      if (sse.silentMillis() > SILENCE_LIMIT.toMillis()) {
        SILENCED.add(sse);
        sse.close();
      } else if (Instant.now().isAfter(deadline)) {
        sse.close();
      }
    }), 500, 500, TimeUnit.MILLISECONDS);
  }

  private final Workload.Completion plan;
  private final NodeDirectory nodes;
  private final Instant deadline;
  private final List<Received> received = new ArrayList<>();
  private final List<Connection> connections = new ArrayList<>();
  private String sessionId;
  private Instant submittedAt;
  private int lastTokenIndex = -1;
  private boolean dropped;
  /** A 4xx other than 429: retrying the same request elsewhere cannot help. */
  private boolean refusedForGood;
  private String refusal;

  private final java.util.function.BiConsumer<Integer, String> onAccepted;

  /** @param onAccepted told the session id as soon as a node accepted the request, so faults can target it */
  StreamClient(Workload.Completion plan, NodeDirectory nodes, Instant deadline,
      java.util.function.BiConsumer<Integer, String> onAccepted) {
    this.plan = plan;
    this.nodes = nodes;
    this.deadline = deadline;
    this.onAccepted = onAccepted;
  }

  StreamLog run() {
    String url = nodes.pick(plan.node());
    HttpResponse<InputStream> first = null;
    for (int tries = 0; first == null && Instant.now().isBefore(deadline); tries++) {
      url = nodes.pick(plan.node() + tries);
      submittedAt = Instant.now();
      first = open(HttpRequest.newBuilder(URI.create(url + "/v1/completions")).timeout(Http.REQUEST_TIMEOUT)
          .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(plan.body())).build());
      if (first != null) {
        sessionId = first.headers().firstValue("x-baton-session-id").orElse(null);
      } else if (refusedForGood) {
        return log(Outcome.NOT_ACCEPTED, "the request itself was refused: " + refusal);
      }
    }
    if (first == null || sessionId == null) {
      return log(Outcome.NOT_ACCEPTED, "no node accepted the request before the deadline");
    }
    onAccepted.accept(plan.index(), sessionId);
    log.debug("chaos client submitted index={} session={} node={}", plan.index(), sessionId, nodes.nodeOf(url));
    HttpResponse<InputStream> response = first;
    while (true) {
      Ending ending = read(response, url);
      if (ending.outcome != null) {
        return log(ending.outcome, ending.detail);
      }
      response = null;
      while (response == null) {
        if (!Instant.now().isBefore(deadline)) {
          return log(Outcome.GAVE_UP, "the stream did not reach its end before the deadline");
        }
        url = nodes.other(url, connections.size());
        HttpRequest.Builder resume = HttpRequest.newBuilder(URI.create(url + "/v1/sessions/" + sessionId + "/stream"))
            .timeout(Http.REQUEST_TIMEOUT);
        if (lastTokenIndex >= 0) {
          resume.header("Last-Event-ID", Integer.toString(lastTokenIndex));
        }
        response = open(resume.GET().build());
      }
    }
  }

  private record Ending(Outcome outcome, String detail) {}

  /** Reads one connection to its end; a null outcome means: resume on another node. */
  private Ending read(HttpResponse<InputStream> response, String url) {
    int number = connections.size();
    Instant opened = Instant.now();
    String resumedAfter = response.request().headers().firstValue("Last-Event-ID").orElse(null);
    Sse sse = new Sse(response.body());
    OPEN.put(sse, deadline);
    int tokensThisConnection = 0;
    Close close = Close.BROKEN;
    Ending ending = new Ending(null, null);
    try {
      Sse.Event e;
      while ((e = sse.next()) != null) {
        if (e.token()) {
          received.add(new Received(number, e.index(), e.text()));
          lastTokenIndex = Math.max(lastTokenIndex, e.index());
          tokensThisConnection++;
          if (!dropped && plan.dropAfter() >= 0 && tokensThisConnection >= plan.dropAfter()) {
            dropped = true; // once per client: the first connection
            close = Close.DELIBERATE_DROP;
            break;
          }
        } else if (e.error()) {
          JsonNode error = e.json().get("error");
          String code = error.path("code").asText("");
          close = Close.ERROR_EVENT;
          if (code.equals("session_failed") || code.equals("cancelled")) {
            ending = new Ending(Outcome.SESSION_ENDED_UNSUCCESSFULLY, error.path("message").asText());
            break;
          }
          // "lost the session": the node could not follow it (its host died, say); resume elsewhere.
          log.info("chaos client stream error session={} node={} code={} message={}", sessionId, nodes.nodeOf(url),
              code, error.path("message").asText());
          break;
        } else if (e.done()) {
          close = Close.DONE;
          ending = new Ending(Outcome.FINISHED, "");
          break;
        }
      }
    } catch (IOException | RuntimeException broken) {
      close = SILENCED.remove(sse) ? Close.SILENT : Close.BROKEN;
    } finally {
      OPEN.remove(sse);
      sse.close();
    }
    connections.add(new Connection(number, nodes.nodeOf(url), opened, Instant.now(), close, resumedAfter));
    if (close != Close.DONE && close != Close.ERROR_EVENT) {
      log.info("chaos client reconnects session={} node={} after={} tokens={} why={}", sessionId, nodes.nodeOf(url),
          lastTokenIndex, received.size(), close);
    }
    return ending;
  }

  /** Opens a request's SSE body; null (after a short pause) when the node refused, failed or is unreachable. */
  private HttpResponse<InputStream> open(HttpRequest request) {
    try {
      HttpResponse<InputStream> r = Http.CLIENT.send(request, HttpResponse.BodyHandlers.ofInputStream());
      if (r.statusCode() == 200) {
        return r;
      }
      String body;
      try (InputStream in = r.body()) {
        body = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      }
      log.info("chaos client refused uri={} status={} body={}", request.uri(), r.statusCode(),
          body.length() > 200 ? body.substring(0, 200) : body);
      if (r.statusCode() >= 400 && r.statusCode() < 500 && r.statusCode() != 429 && r.statusCode() != 404) {
        refusedForGood = true;
        refusal = r.statusCode() + " " + body;
      }
      connections.add(new Connection(connections.size(), nodes.nodeOf(request.uri().getScheme() + "://"
          + request.uri().getAuthority()), Instant.now(), Instant.now(), Close.REFUSED, null));
    } catch (IOException e) {
      log.debug("chaos client cannot reach uri={} error={}", request.uri(), e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
    pause();
    return null;
  }

  private static void pause() {
    try {
      Thread.sleep(RETRY_PAUSE.toMillis()); // a client's retry back-off, not a wait for a condition
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private StreamLog log(Outcome outcome, String detail) {
    return new StreamLog(plan.index(), sessionId, submittedAt == null ? Instant.now() : submittedAt,
        List.copyOf(received), List.copyOf(connections), outcome, detail);
  }
}
