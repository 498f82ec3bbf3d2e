package io.baton.orchestrator.cli;

/**
 * {@code --engines} of {@code up} and {@code cluster up}: where the simulated GPUs' engines run. With
 * {@code external} every GPU is a {@code baton engine serve} child process the agent drives over
 * HTTP, the path a real host's vLLM, SGLang or llama.cpp servers take.
 */
final class EnginesOption {
  static final String KEY = "baton.orchestrator.simulated-fleet.engines";
  static final String DESCRIPTION = "in-process (default): reference engines inside each node. external: one"
      + " `baton engine serve` process per GPU, driven over HTTP like a real host's engine servers.";

  private EnginesOption() {}
}
