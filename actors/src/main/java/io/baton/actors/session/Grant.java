package io.baton.actors.session;

import io.baton.actors.CborSerializable;

/**
 * What a session sends a GPU's agent once it has recorded the placement: everything the runner
 * needs, so the agent starts it without asking the session anything (DESIGN.md, "Attempts").
 *
 * @param state the session as placed: spec, attempt number ({@code state.attempt()}), durable
 *     tokens and KV checkpoint references
 */
public record Grant(String gpuId, ResumeMethod method, SessionState state) implements CborSerializable {

  public String sessionId() {
    return state.sessionId();
  }

  public int attempt() {
    return state.attempt();
  }
}
