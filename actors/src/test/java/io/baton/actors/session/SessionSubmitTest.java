package io.baton.actors.session;

import static io.baton.actors.Rejection.Reason.ALREADY_EXISTS;
import static io.baton.actors.Rejection.Reason.INVALID_ARGUMENT;
import static io.baton.actors.Rejection.Reason.NOT_FOUND;
import static io.baton.actors.session.SessionStatus.GENERATING;
import static io.baton.actors.session.SessionStatus.NEW;
import static io.baton.actors.session.SessionStatus.PENDING;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.actors.session.SessionCommand.*;
import io.baton.actors.session.SessionEvent.*;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Submission and everything before it: valid and invalid specs, retried submissions, and
 * commands to a session that was never submitted. Placement and the rest are in SessionTest.
 */
class SessionSubmitTest extends SessionTestBase {

  @Test
  void submitCreatesAPendingSession() {
    Instant before = Instant.now();
    Submitted e = persists(Submitted.class, new Accepted(PENDING, 0, 0), submit(SPEC));
    Instant after = Instant.now();
    assertEquals(new Submitted(sessionId, SPEC, e.at()), e);
    assertFalse(e.at().isBefore(before) || e.at().isAfter(after), "at is the submission time");
    assertEquals(
        new SessionState(sessionId, PENDING, SPEC, List.of(), List.of(), 0, List.of(), e.at(), null, null, null, null, 0, false, null),
        kit.getState());
  }

  static Stream<Arguments> invalidSpecs() {
    return Stream.of(
        Arguments.of("no spec", null),
        Arguments.of("null model", new SessionSpec(null, PROMPT, SAMPLING, 64, "t", 0, null)),
        Arguments.of("blank model", new SessionSpec("  ", PROMPT, SAMPLING, 64, "t", 0, null)),
        Arguments.of("empty prompt", new SessionSpec("m", List.of(), SAMPLING, 64, "t", 0, null)),
        Arguments.of("max_tokens 0", new SessionSpec("m", PROMPT, SAMPLING, 0, "t", 0, null)),
        Arguments.of("negative max_tokens", new SessionSpec("m", PROMPT, SAMPLING, -5, "t", 0, null)),
        Arguments.of("no sampling", new SessionSpec("m", PROMPT, null, 64, "t", 0, null)),
        Arguments.of("temperature < 0", withSampling(-0.01, 1)),
        Arguments.of("temperature > 2", withSampling(2.01, 1)),
        Arguments.of("temperature NaN", withSampling(Double.NaN, 1)),
        Arguments.of("top_p 0", withSampling(0.5, 0)),
        Arguments.of("top_p < 0", withSampling(0.5, -0.1)),
        Arguments.of("top_p > 1", withSampling(0.5, 1.01)),
        Arguments.of("top_p NaN", withSampling(0.5, Double.NaN)));
  }

  private static SessionSpec withSampling(double temperature, double topP) {
    return new SessionSpec("m", PROMPT, new SessionSpec.Sampling(temperature, topP, 7), 64, "t", 0, null);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidSpecs")
  void submitRejectsAnInvalidSpec(String name, SessionSpec spec) {
    rejects(INVALID_ARGUMENT, submit(spec));
    assertEquals(SessionState.empty(sessionId), kit.getState());
  }

  static Stream<Arguments> boundarySpecs() {
    return Stream.of(
        Arguments.of("greedy", withSampling(0, 1)),
        Arguments.of("hottest", withSampling(2, 0.01)),
        Arguments.of("one token, in a batch",
            new SessionSpec("m", List.of(1), SAMPLING, 1, "t", 9, "batch_abc")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("boundarySpecs")
  void submitAcceptsBoundarySpecs(String name, SessionSpec spec) {
    Submitted e = persists(Submitted.class, new Accepted(PENDING, 0, 0), submit(spec));
    assertEquals(spec, e.spec());
    assertEquals(spec, kit.getState().spec());
  }

  @Test
  void resubmittingTheSameSpecIsAcknowledgedWithoutAnEvent() {
    submitted();
    acknowledgesWithoutEvent(new Accepted(PENDING, 0, 0), submit(SPEC));
    // An equal spec built anew, as a retried HTTP request would, is the same submission.
    acknowledgesWithoutEvent(new Accepted(PENDING, 0, 0), submit(spec(64)));
  }

  @Test
  void aReplayLabelledAnotherClassOrApiIsTheSameSubmission() {
    submitted();
    // A batch line replayed by a node of another version, or after its tenant's class changed.
    acknowledgesWithoutEvent(new Accepted(PENDING, 0, 0), submit(new SessionSpec(SPEC.model(), SPEC.promptTokens(),
        SPEC.sampling(), SPEC.maxTokens(), SPEC.tenant(), 1, SPEC.batchId(), SPEC.stop(), SessionSpec.Api.CHAT)));
    assertEquals(SPEC, kit.getState().spec(), "the first submission's labels stay");
  }

  @Test
  void resubmittingWhileGeneratingReportsTheCurrentProgress() {
    generating(3);
    acknowledgesWithoutEvent(new Accepted(GENERATING, 1, 3), submit(SPEC));
  }

  @Test
  void resubmittingADifferentSpecIsRefused() {
    submitted();
    rejects(ALREADY_EXISTS, submit(spec(65)));
    rejects(ALREADY_EXISTS, submit(null));
    assertEquals(SPEC, kit.getState().spec());
  }

  static Stream<Arguments> mutations() {
    return Stream.of(
        Arguments.of("place", place(1, "gpu-a", ResumeMethod.FRESH)),
        Arguments.of("append", append(1, 0, tokens(0, 2))),
        Arguments.of("checkpoint", checkpoint(1, 16, "h0")),
        Arguments.of("fail attempt", failAttempt(1, XID_79)),
        Arguments.of("complete", complete(1, "stop")),
        Arguments.of("fail", fail("poison request")),
        Arguments.of("cancel", cancel("client went away")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("mutations")
  void everyMutationBeforeSubmitIsNotFound(String name, Cmd command) {
    rejects(NOT_FOUND, command);
    assertEquals(SessionState.empty(sessionId), kit.getState());
  }

  @Test
  void queriesBeforeSubmitSeeAnEmptySession() {
    var state = kit.<SessionState>runCommand(GetState::new);
    assertEquals(SessionState.empty(sessionId), state.reply());
    assertTrue(state.hasNoEvents());
    var tokens = kit.<TokenUpdate>runCommand(r -> new GetTokens(0, r));
    assertEquals(new TokenUpdate(sessionId, 0, List.of(), NEW, null), tokens.reply());
    assertTrue(tokens.hasNoEvents());
  }
}
