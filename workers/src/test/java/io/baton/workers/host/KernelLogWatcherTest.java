package io.baton.workers.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.baton.workers.agent.AgentCommand;
import io.baton.workers.agent.AgentCommand.ObserveXid;
import io.baton.workers.agent.XidSignal;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The watcher against real files, a real FIFO and a real command, with a probe in the agent's place. */
class KernelLogWatcherTest {
  private static final ActorTestKit kit = ActorTestKit.create(ConfigFactory.load());
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final List<GpuInventory.Local> LOCALS =
      List.of(new GpuInventory.Local("t-gpu0", 0, null), new GpuInventory.Local("t-gpu1", 1, null));
  private static final GpuInventory INVENTORY = new GpuInventory(GpuInventory.SIMULATED, Duration.ofSeconds(1),
      "0, GPU-aaaa, 00000000:3B:00.0\n1, GPU-bbbb, 00000000:5E:00.0\n");

  @TempDir
  Path dir;
  private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
  private final TestProbe<AgentCommand> agent = kit.createTestProbe();
  private final List<ActorRef<KernelLogWatcher.Command>> watchers = new ArrayList<>();

  @AfterEach
  void stopWatchers() {
    watchers.forEach(kit::stop);
  }

  @AfterAll
  static void stop() {
    kit.shutdownTestKit();
  }

  private static String xid(String bus, int code) {
    return "Dec 06 10:00:00 h kernel: NVRM: Xid (PCI:0000:" + bus + ":00): " + code + ", pid=7, name=python3, test\n";
  }

  private void watch(String source) {
    KernelLogSettings settings = new KernelLogSettings(KernelLogSettings.source(source), GpuInventory.SIMULATED,
        Duration.ofSeconds(1), Duration.ofMillis(50), Duration.ofMillis(400), Duration.ofMillis(20));
    watchers.add(kit.spawn(KernelLogWatcher.create(settings, LOCALS, INVENTORY, agent.ref(), metrics)));
  }

  /** The next XID handed to the agent, passing over the signal reports. */
  private ObserveXid nextXid() {
    List<AgentCommand> got = agent.fishForMessage(TIMEOUT, m -> m instanceof ObserveXid
        ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore());
    return (ObserveXid) got.get(got.size() - 1);
  }

  private XidSignal awaitSignal(XidSignal.State state) {
    return awaitSignal(state, "");
  }

  private XidSignal awaitSignal(XidSignal.State state, String reasonPart) {
    List<AgentCommand> got = agent.fishForMessage(TIMEOUT, m -> m instanceof AgentCommand.HostObserved h
        && h.signal().state() == state && (h.signal().reason() == null || h.signal().reason().contains(reasonPart))
        ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore());
    return ((AgentCommand.HostObserved) got.get(got.size() - 1)).signal();
  }

  private static void append(Path file, String text) throws Exception {
    Files.writeString(file, text, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  @Test
  void appendedXidsReachTheAgentAsTheirGpuButHistoryAndGarbageDoNot() throws Exception {
    Path log = dir.resolve("kern.log");
    append(log, xid("3b", 48)); // logged before the watcher started: history, never replayed
    watch("file:" + log);
    awaitSignal(XidSignal.State.LIVE);
    append(log, "unrelated kernel line\nNVRM: Xid (PCI:0000:3b:00) 79 garbled\n" + xid("5e", 79));
    ObserveXid first = nextXid();
    assertEquals(List.of("t-gpu1", 79), List.of(first.gpuId(), first.code()));
    assertTrue(first.detail().contains("PCI 0000:5e:00"), first.detail());
    assertEquals(1.0, metrics.counter("baton.kernel_log.unparsed", "kind", "shape").count());
    append(log, xid("3b", 13));
    assertEquals("t-gpu0", nextXid().gpuId());
  }

  @Test
  void aTruncatedOrRotatedFileKeepsBeingFollowed() throws Exception {
    Path log = dir.resolve("kern.log");
    append(log, "");
    watch("file:" + log);
    awaitSignal(XidSignal.State.LIVE);
    append(log, "x".repeat(500) + "\n" + xid("3b", 13));
    assertEquals(13, nextXid().code());
    // Truncated in place, then written again, shorter than what was read: read from the start.
    Files.writeString(log, xid("5e", 31), StandardOpenOption.TRUNCATE_EXISTING);
    assertEquals(31, nextXid().code());
    // Rotated: renamed away and replaced by a new file, which is read from its start.
    Files.move(log, dir.resolve("kern.log.1"));
    Files.writeString(log, xid("5e", 43), StandardOpenOption.CREATE_NEW);
    ObserveXid rotated = nextXid();
    assertEquals(List.of("t-gpu1", 43), List.of(rotated.gpuId(), rotated.code()));
  }

  @Test
  void aFifoIsFollowedAsWritersComeAndGo() throws Exception {
    Path fifo = dir.resolve("kmsg.fifo");
    assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start().waitFor());
    watch("file:" + fifo);
    awaitSignal(XidSignal.State.LIVE);
    for (int code : List.of(13, 79)) {
      try (OutputStream writer = new FileOutputStream(fifo.toFile())) {
        writer.write(xid("3b", code).getBytes(StandardCharsets.UTF_8));
      }
      ObserveXid got = nextXid();
      assertEquals(List.of("t-gpu0", code), List.of(got.gpuId(), got.code()));
    }
  }

  @Test
  void aMissingSourceIsStaleAndRetriedUntilItAppears() throws Exception {
    Path log = dir.resolve("later.log");
    watch("file:" + log);
    XidSignal stale = awaitSignal(XidSignal.State.STALE, "does not exist; retrying in 50 ms");
    // Tried again after 50 ms, failed again, and now waits twice as long; still stale since the first failure.
    XidSignal retried = awaitSignal(XidSignal.State.STALE, "does not exist; retrying in 100 ms");
    assertEquals(stale.since(), retried.since());
    append(log, "");
    awaitSignal(XidSignal.State.LIVE);
    append(log, xid("5e", 79));
    assertEquals("t-gpu1", nextXid().gpuId());
  }

  @Test
  void aCommandsOutputIsReadAndItsExitMarksTheSignalStale() {
    watch("command:printf '%s\\n' 'NVRM: Xid (PCI:0000:5e:00): 13, pid=1, name=t, from a command'; exit 3");
    ObserveXid got = nextXid();
    assertEquals(List.of("t-gpu1", 13), List.of(got.gpuId(), got.code()));
    XidSignal stale = awaitSignal(XidSignal.State.STALE);
    assertTrue(stale.reason().contains("exited with status 3"), stale.reason());
  }
}
