package io.baton.workers.engine;

import com.typesafe.config.ConfigFactory;
import io.baton.workers.WorkersSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/** The shipped models and small helpers shared by the engine tests. */
final class Models {
  static final EngineSettings SETTINGS =
      WorkersSettings.fromConfig(ConfigFactory.defaultReference()).engine();
  static final ModelSpec SMALL = SETTINGS.model("baton-small").orElseThrow();
  static final ModelSpec MEDIUM = SETTINGS.model("baton-medium").orElseThrow();

  static final SamplingParams GREEDY = SamplingParams.greedy();
  static final SamplingParams SAMPLED = new SamplingParams(0.8, 0.9, 42);

  private Models() {}

  /** A fixed prompt of n valid token ids. */
  static List<Integer> prompt(int n, int salt) {
    return IntStream.range(0, n).map(i -> (i * 37 + salt * 11 + 5) % 200).boxed().toList();
  }

  static List<Integer> generate(Generation g, int n) {
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(g.next());
    }
    return out;
  }

  static List<Integer> run(ModelSpec spec, List<Integer> prompt, SamplingParams sampling, int n) {
    return generate(ReferenceEngine.of(spec, 0).start(GenerationRequest.fresh(prompt, sampling)), n);
  }

  static List<Integer> concat(List<Integer> a, List<Integer> b) {
    List<Integer> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }
}
