package io.baton.orchestrator.queue;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import io.baton.actors.session.Attempt;
import io.baton.actors.session.FailureCause;
import io.baton.actors.session.SessionEvent;
import io.baton.actors.session.SessionState;
import io.baton.actors.session.SessionStatus;
import io.baton.http.batch.BatchLines;
import io.baton.orchestrator.api.SseEvents;
import io.baton.persistence.testing.CassandraTestExtension;
import io.baton.workers.agent.AgentStatus;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Priority: batch lines fill every GPU place, and an interactive stream arrives. The queue preempts
 * one batch session (one that has run the minimum run time); the stream gets that GPU as soon as
 * the preemption is through, and the preempted line resumes later, token for token the fault-free
 * run, without blaming its GPU or counting toward poison. The batch completes with every line once.
 *
 * <p>Twice as many lines as places: the stream arrives once the second wave runs, so the preempted
 * line queued before its first placement too and its journal shows the whole story.
 */
@ExtendWith(CassandraTestExtension.class)
class PriorityPreemptionIT {
  private static final int LINES = 2 * QueueNode.PLACES;
  /** 2 s at 20 ms a token: a second-wave line runs well past the minimum run time (1 s) when it is preempted. */
  private static final int LINE_TOKENS = 100;

  @Test
  void anInteractiveStreamTakesAPreemptedBatchPlaceAndTheBatchLosesNothing() throws Exception {
    try (QueueNode q = QueueNode.start("priority", "jobs:sk-jobs,chat:sk-chat", Map.of(
        "baton.tenants.jobs.class", "batch",
        "baton.queues.min-run-time", "1s",
        "baton.workers.engine.timing.decode-per-token", "20ms"))) {
      Config config = q.node.system().settings().config();
      Duration minRunTime = config.getDuration("baton.queues.min-run-time");
      Duration reportInterval = config.getDuration("baton.workers.agent.report-interval");
      Duration placementRetry = config.getDuration("baton.actors.session.placement-retry");

      StringBuilder jsonl = new StringBuilder();
      for (int i = 0; i < LINES; i++) {
        jsonl.append(q.batchLine("line-" + i, q.completion("line " + i, LINE_TOKENS, 500 + i, "")));
      }
      String batch = q.createBatch("sk-jobs", jsonl.toString());
      Set<String> firstWave = awaitAllPlacesRun(q, Set.of());
      awaitAllPlacesRun(q, firstWave);

      HttpResponse<InputStream> stream = q.stream("sk-chat", q.completion("now", 40, 7, ",\"stream\":true"));
      assertEquals(200, stream.statusCode());
      String interactiveId = stream.headers().firstValue("x-baton-session-id").orElseThrow();
      try (SseEvents sse = new SseEvents(stream.body())) {
        SseEvents.Event e;
        do {
          e = sse.next();
          assertNotNull(e, "the stream ended without [DONE]");
        } while (!"[DONE]".equals(e.data()));
      }

      // Exactly one line gave its place up: one interactive request needed one.
      List<SessionState> preempted = new ArrayList<>();
      for (int i = 0; i < LINES; i++) {
        SessionState line = q.awaitEnded(BatchLines.sessionId(batch, i));
        if (line.attempts().stream().anyMatch(PriorityPreemptionIT::preempted)) {
          preempted.add(line);
        }
      }
      assertEquals(1, preempted.size(), "one preemption for one interactive stream: " + preempted);
      SessionState victim = preempted.get(0);
      Attempt gaveUp = victim.attempts().stream().filter(PriorityPreemptionIT::preempted)
          .findFirst().orElseThrow();
      Instant preemptedAt = q.journal(victim.sessionId()).stream()
          .filter(ev -> ev instanceof SessionEvent.AttemptFailed f && f.attempt() == gaveUp.number())
          .map(ev -> ((SessionEvent.AttemptFailed) ev).at()).findFirst().orElseThrow();

      SessionState interactive = q.state(interactiveId);
      assertEquals(SessionStatus.COMPLETED, interactive.status(), interactive::terminalReason);
      // The agent stops the line's run and reports the place free, and hints the line's session,
      // which records the end: the stream's placement and that record race, so the order is shown
      // on the GPU. It has one place, so it accepted the stream's grant only once the line's run had
      // stopped there (a GPU that turned out full refuses a grant; the stream then tries again).
      Attempt got = interactive.currentAttempt();
      assertEquals(gaveUp.workerId(), got.workerId(), "the stream took the place the line gave up");
      assertTrue(interactive.attempts().stream().allMatch(a -> a == got
          || a.failure().kind() == FailureCause.Kind.GRANT_REFUSED), interactive.attempts()::toString);
      assertTrue(!got.placedAt().isBefore(gaveUp.placedAt().plus(minRunTime)),
          "not before the line had run the minimum time: " + got.placedAt() + ", line placed " + gaveUp.placedAt());
      // A victim is eligible once it has run the minimum time, and the queue hears the runs in
      // every report. Once the place is free its GPU reports at once and the admitted stream asks
      // its placer; a report missed or an offer crossed costs a report interval and a placement retry.
      Duration toPreemption = Duration.between(interactive.submittedAt(), preemptedAt);
      assertTrue(toPreemption.compareTo(minRunTime.plus(reportInterval)) <= 0, "preempted after " + toPreemption);
      Duration toPlacement = Duration.between(preemptedAt, got.placedAt()).abs();
      assertTrue(toPlacement.compareTo(reportInterval.plus(placementRetry)) <= 0,
          "placed " + got.placedAt() + ", the line's attempt ended " + preemptedAt);

      // The preempted line: token for token the fault-free run, resumed from what it kept, nobody blamed.
      assertEquals(SessionStatus.COMPLETED, victim.status(), victim::terminalReason);
      assertEquals(q.reference(victim.spec()), victim.tokens(), "the line equals the fault-free run");
      assertTrue(victim.attempts().stream().allMatch(a -> a.failure() == null || preempted(a)
          || a.failure().kind() == FailureCause.Kind.GRANT_REFUSED), "nothing but the preemption failed it: "
          + victim.attempts());
      assertTrue(victim.currentAttempt().resumeFrom() > 0, "it resumed from its tokens: " + victim.currentAttempt());
      assertEquals("active", q.get(QueueNode.ADMIN, "/admin/workers/" + gaveUp.workerId()).get("state").asText(),
          "the GPU it gave up stays in service");
      assertEquals(List.of("Queued", "Placed", "AttemptFailed(PREEMPTED)", "Queued", "Placed"),
          story(q.journal(victim.sessionId())));

      JsonNode done = q.awaitBatch("sk-jobs", batch);
      assertEquals("completed", done.get("status").asText(), done.toString());
      assertEquals(LINES, done.at("/request_counts/total").asInt(), done.toString());
      assertEquals(LINES, done.at("/request_counts/completed").asInt(), done.toString());
      assertEquals(0, done.at("/request_counts/failed").asInt(), done.toString());
      assertEquals(LINES, q.output("sk-jobs", done).size(), "each custom_id once");

      assertEquals(1, q.queue().at("/preemptions_by_class/batch").asInt(), q.queue().toString());
      assertEquals(1.0, QueueNode.metric(q.metrics(), "baton_preemptions_total", "class=\"batch\""));
    }
  }

  private static boolean preempted(Attempt a) {
    return a.failure() != null && a.failure().kind() == FailureCause.Kind.PREEMPTED;
  }

  /**
   * Waits until every place runs a batch session, none of them in {@code before}; the sessions.
   */
  private static Set<String> awaitAllPlacesRun(QueueNode q, Set<String> before) {
    Set<String> running = new HashSet<>();
    await().atMost(QueueNode.TIMEOUT).pollInterval(Duration.ofMillis(20)).until(() -> {
      running.clear();
      for (AgentStatus.Gpu g : q.agentStatus().gpus()) {
        running.addAll(g.sessions());
      }
      return running.size() == QueueNode.PLACES && running.stream().allMatch(id -> id.startsWith("batch_"))
          && running.stream().noneMatch(before::contains);
    });
    return Set.copyOf(running);
  }

  /**
   * The session's waits, placements and failures in order. A refused grant (a GPU that turned out
   * full) is skipped, and with it the repeat of the wait it interrupted.
   */
  private static List<String> story(List<SessionEvent> events) {
    Set<Integer> refused = new HashSet<>();
    for (SessionEvent e : events) {
      if (e instanceof SessionEvent.AttemptFailed f && f.cause().kind() == FailureCause.Kind.GRANT_REFUSED) {
        refused.add(f.attempt());
      }
    }
    List<String> story = new ArrayList<>();
    for (SessionEvent e : events) {
      if (e instanceof SessionEvent.Queued) {
        if (story.isEmpty() || !story.get(story.size() - 1).equals("Queued")) {
          story.add("Queued");
        }
      } else if (e instanceof SessionEvent.Placed p && !refused.contains(p.attempt())) {
        story.add("Placed");
      } else if (e instanceof SessionEvent.AttemptFailed f && !refused.contains(f.attempt())) {
        story.add("AttemptFailed(" + f.cause().kind() + ")");
      }
    }
    return story;
  }
}
