package io.baton.chaos.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class ReportWriterTest {
  private static final Instant T0 = Instant.parse("2026-11-28T12:00:00Z");
  private static final String GPU_A = "node-1-host0-gpu0";
  private static final String GPU_B = "node-2-host0-gpu0";

  @TempDir Path dir;

  @Test
  void jsonRoundTripsEveryRunAndCarriesVerdictAndPassed() throws Exception {
    ChaosReport run = failingRun();
    String verdict = ReportWriter.write(dir, List.of(run));

    ReportFile back = ReportJson.read(dir.resolve("chaos-report.json"));
    assertEquals(List.of(run), back.runs());
    assertEquals(verdict, back.verdict());
    assertFalse(back.passed());

    JsonNode tree = ReportJson.mapper().readTree(dir.resolve("chaos-report.json").toFile());
    assertEquals(verdict, tree.get("verdict").asText());
    JsonNode first = tree.get("runs").get(0);
    assertFalse(first.get("passed").asBoolean());
    assertEquals("2026-11-28T12:00:00Z", first.get("startedAt").asText());
    assertEquals("2026-11-28T12:00:05.250Z", first.get("faults").get(0).get("at").asText());
    assertTrue(first.get("recoveries").get(0).get("withinBound").asBoolean());
  }

  @Test
  void verdictNamesTheFailedInvariant() {
    String verdict = ReportWriter.verdict(List.of(failingRun(), passingRun("node-kill")));
    assertEquals("chaos: FAIL — 1 of 2 scenarios failed — xid-and-pause: invariant 2 "
        + "(tokens equal reference) failed: 1 session differs: s-3 (41 of 64 tokens equal)", verdict);
  }

  @Test
  void passVerdictSummarisesScenariosSessionsAndWorstRecovery() {
    String verdict = ReportWriter.verdict(List.of(passingRun("a"), passingRun("b")));
    // Worst by share of the bound: 700 of 1000 ms (70 %) beats 3000 of 4500 ms (67 %).
    assertEquals("chaos: PASS — 2 scenarios, 6/6 invariants each, 2 sessions, "
        + "worst recovery 700 ms of 1000 ms bound (xid-79)", verdict);
    assertEquals("chaos: FAIL — no scenario ran", ReportWriter.verdict(List.of()));
  }

  @Test
  void markdownLeadsWithVerdictAndShowsFailureDetailTablesAndTimeline() throws Exception {
    String verdict = ReportWriter.write(dir, List.of(failingRun()));
    String md = Files.readString(dir.resolve("chaos-report.md"));

    assertTrue(md.startsWith("# " + verdict + "\n"), md);
    assertTrue(md.contains("| 2 | tokens equal reference | **FAIL** | 1 session differs: s-3 (41 of 64"
        + " tokens equal) |"), md);
    assertTrue(md.contains("| xid-and-pause | 7 | 30.0 s | 3 | 2 | 5/6 |"), md);
    assertTrue(md.contains("| xid-79 | " + GPU_A + " | +5.3 s | — | reset class |"), md);
    assertTrue(md.contains("| node-pause | node-2 | +20.0 s | +24.0 s | SIGSTOP |"), md);
    assertTrue(md.contains(GPU_A + "(FRESH, xid 79) -> " + GPU_B + "(KV_RESTORE, node paused) -> "
        + GPU_A + "(RECOMPUTE)"), md);
    assertTrue(md.contains("| xid-79 | 1 | 412 ms | 412 ms | 412 ms | 1000 ms | yes |"), md);
    assertTrue(md.contains("| node-pause | 1 | 5100 ms | 5100 ms | 5100 ms | 4500 ms | **no** (1 of 1"
        + " over) |"), md);
    // The pipe in the reason must be escaped or it would split the table cell.
    assertTrue(md.contains("| " + GPU_A + " | +5.3 s | CORDONED | fleet | xid 79 \\| reset class"
        + " & migrate |"), md);
    assertTrue(md.contains("![timeline](timeline-xid-and-pause.svg)"), md);
  }

  @Test
  void nearestRankPercentiles() {
    List<Long> millis = List.of(50L, 15L, 40L, 20L, 35L);
    assertEquals(20, RecoveryStats.nearestRank(millis, 30));
    assertEquals(35, RecoveryStats.nearestRank(millis, 50));
    assertEquals(50, RecoveryStats.nearestRank(millis, 99));
    assertEquals(50, RecoveryStats.nearestRank(millis, 100));
    assertEquals(15, RecoveryStats.nearestRank(millis, 0));
    List<Long> hundred = IntStream.rangeClosed(1, 100).mapToObj(i -> (long) (101 - i)).toList();
    assertEquals(50, RecoveryStats.nearestRank(hundred, 50));
    assertEquals(99, RecoveryStats.nearestRank(hundred, 99));
    assertThrows(IllegalArgumentException.class, () -> RecoveryStats.nearestRank(List.of(), 50));

    List<RecoverySample> samples = new ArrayList<>();
    millis.forEach(m -> samples.add(new RecoverySample("xid-79", "s", m, 45)));
    RecoveryStats stats = RecoveryStats.byKind(samples).get(0);
    assertEquals(new RecoveryStats("xid-79", 5, 35, 50, 50, 45, 45, 1), stats);
  }

  @Test
  void svgIsWellFormedWithOneLanePerGpuAndFaultLabels() throws Exception {
    ReportWriter.write(dir, List.of(failingRun()));
    byte[] svg = Files.readAllBytes(dir.resolve("timeline-xid-and-pause.svg"));
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setNamespaceAware(true);
    Document doc = factory.newDocumentBuilder().parse(new ByteArrayInputStream(svg));

    assertEquals("svg", doc.getDocumentElement().getLocalName());
    assertEquals(List.of(GPU_A, GPU_B), groups(doc, "gpu-lane", "data-gpu"));
    // Only s-1 moved; s-2 and s-3 ran on one GPU and get no lane.
    assertEquals(List.of("s-1"), groups(doc, "session-lane", "data-session"));
    assertEquals(List.of("xid-79 " + GPU_A, "node-pause node-2"), groups(doc, "fault", "data-label"));
    List<String> texts = texts(doc);
    assertTrue(texts.contains("xid-79 " + GPU_A), texts.toString());
    assertTrue(texts.contains("node-pause node-2"), texts.toString());
    assertTrue(texts.contains("412 ms"), texts.toString());
    assertTrue(texts.contains("5100 ms > 4500 ms"), texts.toString());
    String raw = new String(svg, StandardCharsets.UTF_8);
    assertTrue(raw.contains("xid 79 | reset class &amp; migrate"), "reason escaped for XML");
  }

  @Test
  void svgCapsSessionLanesAndSaysHowManyAreLeftOut() throws Exception {
    List<SessionRecord> sessions = IntStream.range(0, 45).mapToObj(i -> new SessionRecord(
        "m-" + i, "COMPLETED", at(i * 0.1), at(20), List.of(
            new AttemptRecord(1, GPU_A, "FRESH", at(i * 0.1), at(1), at(5.3), "xid 79"),
            new AttemptRecord(2, GPU_B, "KV_RESTORE", at(5.5), at(5.7), at(20), null)),
        8, true, "")).toList();
    ChaosReport run = new ChaosReport("many", 3, T0, at(20), Map.of(), List.of(), sessions,
        List.of(), sixPassing(), List.of());
    ReportWriter.write(dir, List.of(run));
    Document doc = DocumentBuilderFactory.newDefaultNSInstance().newDocumentBuilder()
        .parse(dir.resolve("timeline-many.svg").toFile());
    assertEquals(TimelineSvg.MAX_SESSION_LANES, groups(doc, "session-lane", "data-session").size());
    assertTrue(texts(doc).stream().anyMatch(t -> t.startsWith("5 more migrated sessions not shown")),
        texts(doc).toString());
  }

  private static List<String> groups(Document doc, String cssClass, String attribute) {
    List<String> out = new ArrayList<>();
    NodeList gs = doc.getElementsByTagNameNS("http://www.w3.org/2000/svg", "g");
    for (int i = 0; i < gs.getLength(); i++) {
      Element g = (Element) gs.item(i);
      if (cssClass.equals(g.getAttribute("class"))) {
        out.add(g.getAttribute(attribute));
      }
    }
    return out;
  }

  private static List<String> texts(Document doc) {
    List<String> out = new ArrayList<>();
    NodeList ts = doc.getElementsByTagNameNS("http://www.w3.org/2000/svg", "text");
    for (int i = 0; i < ts.getLength(); i++) {
      out.add(ts.item(i).getTextContent());
    }
    return out;
  }

  /** Two faults, three sessions (s-1 migrated twice), two GPUs with history, invariant 2 failing. */
  private static ChaosReport failingRun() {
    FaultRecord xid = new FaultRecord("xid-79", GPU_A, at(5.25), null, "reset class");
    FaultRecord pause = new FaultRecord("node-pause", "node-2", at(20), at(24), "SIGSTOP");
    SessionRecord s1 = new SessionRecord("s-1", "COMPLETED", at(1), at(28), List.of(
        new AttemptRecord(1, GPU_A, "FRESH", at(1), at(1.4), at(5.3), "xid 79"),
        new AttemptRecord(2, GPU_B, "KV_RESTORE", at(5.5), at(5.662), at(20.5), "node paused"),
        new AttemptRecord(3, GPU_A, "RECOMPUTE", at(24.5), at(25.1), at(28), null)),
        64, true, "");
    SessionRecord s2 = new SessionRecord("s-2", "COMPLETED", at(2), at(9), List.of(
        new AttemptRecord(1, GPU_B, "FRESH", at(2), at(2.3), at(9), null)), 64, true, null);
    SessionRecord s3 = new SessionRecord("s-3", "COMPLETED", at(3), at(12), List.of(
        new AttemptRecord(1, GPU_B, "FRESH", at(3), at(3.2), at(12), null)), 64, false,
        "41 of 64 tokens equal");
    GpuRecord gpuA = new GpuRecord(GPU_A, "node-1", "SPARE", List.of(
        new GpuChange(at(0), "ACTIVE", "bootstrap", "registered"),
        new GpuChange(at(5.3), "CORDONED", "fleet", "xid 79 | reset class & migrate"),
        new GpuChange(at(5.4), "RESETTING", "fleet", "reset"),
        new GpuChange(at(9), "SPARE", "fleet", "health check passed")));
    GpuRecord gpuB = new GpuRecord(GPU_B, "node-2", "ACTIVE", List.of(
        new GpuChange(at(0), "SPARE", "bootstrap", "registered"),
        new GpuChange(at(5.4), "ACTIVE", "fleet", "promoted to replace " + GPU_A)));
    List<InvariantResult> invariants = new ArrayList<>(sixPassing());
    invariants.set(1, new InvariantResult(2, "tokens equal reference", false,
        "1 session differs: s-3 (41 of 64 tokens equal)"));
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("failure-detection", "2.5 s");
    settings.put("lease", "3 s");
    return new ChaosReport("xid-and-pause", 7, T0, at(30), settings, List.of(xid, pause),
        List.of(s1, s2, s3), List.of(gpuA, gpuB), invariants, List.of(
            new RecoverySample("xid-79", "s-1", 412, 1000),
            new RecoverySample("node-pause", "s-1", 5100, 4500)));
  }

  private static ChaosReport passingRun(String scenario) {
    SessionRecord s = new SessionRecord("p-1", "COMPLETED", at(1), at(5), List.of(
        new AttemptRecord(1, GPU_A, "FRESH", at(1), at(1.2), at(5), null)), 16, true, "");
    return new ChaosReport(scenario, 1, T0, at(10), Map.of(), List.of(), List.of(s), List.of(),
        sixPassing(), List.of(new RecoverySample("xid-79", "p-1", 700, 1000),
            new RecoverySample("node-kill", "p-1", 3000, 4500)));
  }

  private static List<InvariantResult> sixPassing() {
    String[] names = {"one terminal state", "tokens equal reference", "streams gap-free",
        "no dropped command", "recovery within bound", "no GPU out without reason"};
    return IntStream.range(0, 6)
        .mapToObj(i -> new InvariantResult(i + 1, names[i], true, "ok")).toList();
  }

  private static Instant at(double seconds) {
    return T0.plusMillis(Math.round(seconds * 1000));
  }
}
