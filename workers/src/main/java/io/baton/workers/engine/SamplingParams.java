package io.baton.workers.engine;

import io.baton.actors.session.SessionSpec;

/**
 * How to pick each token from the logits.
 *
 * @param temperature 0 means greedy: the most likely token, lowest id on ties
 * @param topP nucleus size in (0, 1]: sample only among the most likely tokens whose probabilities
 *     add up to at least topP
 * @param seed with the token index, the only input to the sampling random numbers
 */
public record SamplingParams(double temperature, double topP, long seed) {

  public SamplingParams {
    if (!(temperature >= 0 && temperature <= 2)) {
      throw new IllegalArgumentException("temperature must be between 0 and 2, was " + temperature);
    }
    if (!(topP > 0 && topP <= 1)) {
      throw new IllegalArgumentException("top_p must be in (0, 1], was " + topP);
    }
  }

  public static SamplingParams greedy() {
    return new SamplingParams(0, 1, 0);
  }

  public static SamplingParams of(SessionSpec.Sampling sampling) {
    return new SamplingParams(sampling.temperature(), sampling.topP(), sampling.seed());
  }

  public boolean isGreedy() {
    return temperature == 0;
  }
}
