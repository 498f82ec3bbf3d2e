package io.baton.orchestrator.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.baton.orchestrator.BatonNode;
import io.baton.orchestrator.TestNodes;
import io.baton.persistence.testing.CassandraTestExtension;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Clients that hold every API connection without finishing a request leave the health port answering. */
@ExtendWith(CassandraTestExtension.class)
class SlowClientsIT {
  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @Test
  void probesAnswerOnTheManagementPortWhileSlowClientsHoldEveryApiConnection() throws Exception {
    try (BatonNode node = TestNodes.start(TestNodes.nodeId("slow"), Map.of(
        "pekko.http.server.max-connections", 2))) {
      URI api = URI.create(node.httpAddress());
      List<Socket> slow = new ArrayList<>();
      try {
        for (int i = 0; i < 2; i++) {
          Socket s = new Socket(api.getHost(), api.getPort());
          OutputStream out = s.getOutputStream();
          out.write("GET /v1/models HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII)); // never finished
          out.flush();
          slow.add(s);
        }
        assertThrows(HttpTimeoutException.class, () -> HTTP.send(HttpRequest.newBuilder(api.resolve("/health/alive"))
            .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.ofString()),
            "the API port has no connection left");
        HttpResponse<String> probe = HTTP.send(HttpRequest.newBuilder(
            URI.create(node.managementAddress() + "/alive")).timeout(Duration.ofSeconds(5))
            .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, probe.statusCode());
      } finally {
        for (Socket s : slow) {
          s.close();
        }
      }
    }
  }
}
