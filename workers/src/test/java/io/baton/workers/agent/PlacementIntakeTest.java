package io.baton.workers.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.baton.actors.session.Grant;
import io.baton.actors.session.ResumeMethod;
import io.baton.actors.session.SessionCommand;
import io.baton.actors.session.SessionEvent;
import io.baton.actors.session.SessionSpec;
import io.baton.actors.session.SessionState;
import io.baton.actors.worker.GpuSpec;
import io.baton.actors.worker.GpuStatus;
import io.baton.actors.worker.Pool;
import io.baton.workers.WorkersSettings;
import io.baton.workers.engine.ReferenceEngine;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The agent's side of a grant (DESIGN.md, "Attempts"): it starts the run at once from what the
 * grant carries, whose runner confirms to the session before anything else, or refuses, saying why,
 * so the session moves to its next candidate. It never fails an attempt itself.
 */
class PlacementIntakeTest {
  private static final ActorTestKit kit = ActorTestKit.create(ConfigFactory.load());
  private static final String GPU = "host-t-gpu0";
  private static final AgentSettings SETTINGS = new AgentSettings(1, Duration.ofMillis(500), Duration.ofSeconds(2),
      Duration.ofMillis(500), 8, false, false,
      new RunnerSettings(8, Duration.ofMillis(50), false, Duration.ofSeconds(30), Duration.ofMillis(200)));

  private final Map<String, TestProbe<SessionCommand>> sessions = new ConcurrentHashMap<>();
  private GpuSlot slot;
  private ActorRef<AgentCommand> agent;

  @AfterAll
  static void stop() {
    kit.shutdownTestKit();
  }

  @BeforeEach
  void agentWithOneGpu() {
    ReferenceEngine engine = ReferenceEngine.of(
        WorkersSettings.fromConfig(ConfigFactory.defaultReference()).engine().model("baton-small").orElseThrow(), 64);
    slot = new GpuSlot(GPU, new GpuSpec("node-t", "host-t", 0, "baton-small", 64), Pool.ACTIVE, engine);
    slot.status = GpuStatus.ACTIVE;
    Map<String, GpuSlot> slots = new LinkedHashMap<>(Map.of(GPU, slot));
    agent = kit.spawn(agent(slots));
  }

  private Behavior<AgentCommand> agent(Map<String, GpuSlot> slots) {
    return Behaviors.setup(ctx -> {
      PlacementIntake intake = new PlacementIntake(ctx, SETTINGS, "node-t", slots, null, null,
          id -> session(id).ref(), ctx.getSystem().ignoreRef(), RunnerMetrics.NONE);
      return Behaviors.receive(AgentCommand.class)
          .onMessage(AgentCommand.Granted.class, m -> {
            intake.granted(m.grant());
            return Behaviors.same();
          })
          .onMessage(AgentCommand.RunnerStopped.class, m -> Behaviors.same())
          .build();
    });
  }

  private TestProbe<SessionCommand> session(String id) {
    return sessions.computeIfAbsent(id, k -> kit.createTestProbe());
  }

  private static Grant grant(String sessionId, String gpuId) {
    SessionSpec spec = new SessionSpec("baton-small", List.of(5, 6, 7), new SessionSpec.Sampling(0, 1, 3), 16, "t", 0,
        null);
    SessionState placed = SessionState.empty(sessionId)
        .apply(new SessionEvent.Submitted(sessionId, spec, Instant.now()))
        .apply(new SessionEvent.Placed(1, gpuId, 0, ResumeMethod.FRESH, Instant.now()));
    return new Grant(gpuId, ResumeMethod.FRESH, placed);
  }

  @Test
  void aGrantWithRoomStartsTheRunWhichConfirmsBeforeAnythingElse() {
    agent.tell(new AgentCommand.Granted(grant("s-1", GPU)));
    assertEquals(new SessionCommand.Heartbeat(1), session("s-1").receiveMessage());
    // The run goes on from the granted state: its first chunk starts at token 0 of attempt 1.
    SessionCommand.AppendTokens chunk = session("s-1").expectMessageClass(SessionCommand.AppendTokens.class);
    assertEquals(1, chunk.attempt());
    assertEquals(0, chunk.fromIndex());
  }

  @Test
  void aFullGpuRefusesAndSaysWhy() {
    agent.tell(new AgentCommand.Granted(grant("s-1", GPU)));
    session("s-1").expectMessageClass(SessionCommand.Heartbeat.class);
    agent.tell(new AgentCommand.Granted(grant("s-2", GPU)));
    SessionCommand.GrantRefused refused = session("s-2").expectMessageClass(SessionCommand.GrantRefused.class);
    assertEquals(1, refused.attempt());
    assertEquals(GPU, refused.gpuId());
    assertTrue(refused.reason().contains("full"), refused.reason());
  }

  @Test
  void aGpuOutOfRotationOrUnknownRefuses() {
    slot.status = GpuStatus.CORDONED;
    agent.tell(new AgentCommand.Granted(grant("s-1", GPU)));
    assertTrue(session("s-1").expectMessageClass(SessionCommand.GrantRefused.class).reason().contains("CORDONED"));
    agent.tell(new AgentCommand.Granted(grant("s-2", "host-x-gpu9")));
    assertTrue(session("s-2").expectMessageClass(SessionCommand.GrantRefused.class).reason().contains("no GPU"));
  }

  @Test
  void aRepeatedGrantStartsNoSecondRun() {
    agent.tell(new AgentCommand.Granted(grant("s-1", GPU)));
    session("s-1").expectMessageClass(SessionCommand.Heartbeat.class);
    // The runner may confirm before the agent has recorded its run; the slot is the agent's, so
    // read it only after a later refusal proves the agent finished with the grant.
    agent.tell(new AgentCommand.Granted(grant("s-2", GPU)));
    session("s-2").expectMessageClass(SessionCommand.GrantRefused.class);
    ActorRef<SessionRunner.Command> first = slot.runs.get("s-1").runner();
    agent.tell(new AgentCommand.Granted(grant("s-1", GPU)));
    // Handled in order: once the next grant is refused (the GPU is full), the repeat was handled too.
    agent.tell(new AgentCommand.Granted(grant("s-3", GPU)));
    session("s-3").expectMessageClass(SessionCommand.GrantRefused.class);
    assertEquals(first, slot.runs.get("s-1").runner(), "the run under way was kept, not replaced");
  }
}
