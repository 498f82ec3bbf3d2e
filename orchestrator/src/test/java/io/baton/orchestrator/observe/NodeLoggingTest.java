package io.baton.orchestrator.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.status.Status;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The node's logback.xml, as shipped: plain or JSON lines by BATON_LOG_FORMAT, the node id on each. */
class NodeLoggingTest {
  @Test
  void plainLinesCarryTheNodeId() throws Exception {
    String out = logOneLine(null);
    assertTrue(out.matches("(?s)\\S+ level=INFO  node=node-7 logger=test event=probe answer=42\\n"), out);
  }

  @Test
  void jsonLinesCarryTheNodeIdAndTheMessage() throws Exception {
    JsonNode line = new ObjectMapper().readTree(logOneLine("json"));
    assertEquals("node-7", line.at("/context/properties/node").asText(), line.toString());
    assertEquals("event=probe answer=42", line.get("formattedMessage").asText());
    assertEquals("INFO", line.get("level").asText());
    assertEquals("test", line.get("loggerName").asText());
  }

  @Test
  void anUnknownFormatFallsBackToPlainAndSaysSo() {
    List<String> warnings = new ArrayList<>();
    assertEquals("plain", LogFormatFilter.chosen("yaml", warnings::add));
    assertEquals(1, warnings.size());
    assertEquals("json", LogFormatFilter.chosen(" JSON ", warnings::add));
    assertEquals("plain", LogFormatFilter.chosen(null, warnings::add));
    assertEquals(1, warnings.size());
  }

  /** Configures a logger context of its own from logback.xml, as the node's JVM would, and logs one line. */
  private static String logOneLine(String format) throws Exception {
    PrintStream stdout = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    LoggerContext context = new LoggerContext();
    context.setMDCAdapter(new LogbackMDCAdapter());
    try {
      if (format != null) {
        System.setProperty(LogFormatFilter.PROPERTY, format);
      }
      System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
      JoranConfigurator configurator = new JoranConfigurator();
      configurator.setContext(context);
      configurator.doConfigure(NodeLoggingTest.class.getResource("/logback.xml"));
      context.putProperty(NodeLogging.NODE, "node-7"); // what NodeLogging.identify does to the JVM's context
      context.getLogger("test").info("event=probe answer={}", 42);
      assertEquals(List.of(), context.getStatusManager().getCopyOfStatusList().stream()
          .filter(s -> s.getLevel() > Status.INFO).map(Status::getMessage).toList(),
          "logback warns of nothing, so it prints no status at each start");
    } finally {
      context.stop();
      System.setOut(stdout);
      System.clearProperty(LogFormatFilter.PROPERTY);
    }
    return captured.toString(StandardCharsets.UTF_8);
  }
}
