package io.baton.workers.agent;

import io.baton.actors.CborSerializable;
import io.baton.workers.engine.InferenceEngine;
import io.baton.workers.engine.remote.RemoteEngine;

/**
 * Which engine serves a GPU, as an operator looks for it: its kind ({@code in-process} for a
 * reference engine inside the node), its base URL and, when Baton started the process, its pid.
 */
public record EngineView(String kind, String url, Long pid) implements CborSerializable {
  static final EngineView IN_PROCESS = new EngineView("in-process", null, null);

  /**
   * Whether a sampled session resumed here continues exactly as an uninterrupted run: engines in
   * the node and {@code baton engine serve} take the sampling index; other servers restart their
   * sampler per request (greedy decoding resumes exactly everywhere).
   */
  public boolean resumesSampledExactly() {
    return kind.equals(IN_PROCESS.kind) || kind.equals("baton");
  }

  static EngineView of(InferenceEngine engine) {
    return engine instanceof RemoteEngine remote
        ? new EngineView(remote.settings().kind().id(), remote.settings().baseUrl(), remote.pid()) : IN_PROCESS;
  }
}
