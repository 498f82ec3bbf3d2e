package io.baton.chaos;

import io.baton.persistence.BatonConfig;
import io.baton.workers.WorkersSettings;
import io.baton.workers.engine.Generation;
import io.baton.workers.engine.GenerationRequest;
import io.baton.workers.engine.ModelSpec;
import io.baton.workers.engine.ReferenceEngine;
import io.baton.workers.engine.ReferenceTokenizer;
import io.baton.workers.engine.SamplingParams;
import io.baton.workers.engine.Tokenizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The fault-free output of every request, computed in this JVM before the cluster sees any request:
 * the same model spec (from the same configuration the nodes load), the same tokenizer, the same
 * seed, straight through a fresh reference engine. The API tokenizes a completions prompt as is,
 * and decodes each token on its own and concatenates; so does this.
 */
final class References {
  private final ModelSpec model;
  private final Tokenizer tokenizer;

  private References(ModelSpec model) {
    this.model = model;
    this.tokenizer = new ReferenceTokenizer(model.vocab());
  }

  static References forModel(String modelId) {
    ModelSpec spec = WorkersSettings.fromConfig(BatonConfig.load()).engine().model(modelId)
        .orElseThrow(() -> new IllegalStateException("no model " + modelId + " in baton.workers.engine.models"));
    return new References(spec);
  }

  /** The reference text by key: "c<index>" for a completion, "b<line>" for a batch line. */
  Map<String, String> compute(Workload workload) {
    Map<String, String> out = new HashMap<>();
    for (List<Workload.Completion> cs : List.of(workload.completions(), workload.reserve())) {
      for (Workload.Completion c : cs) {
        out.put(completionKey(c.index()), text(c.prompt(), c.maxTokens(), c.seed()));
      }
    }
    for (Workload.BatchLine b : workload.batch()) {
      out.put(batchKey(b.line()), text(b.prompt(), b.maxTokens(), b.seed()));
    }
    return Map.copyOf(out);
  }

  static String completionKey(int index) {
    return "c" + index;
  }

  static String batchKey(int line) {
    return "b" + line;
  }

  String text(String prompt, int maxTokens, long seed) {
    Generation g = ReferenceEngine.of(model, 0).start(GenerationRequest.fresh(tokenizer.encodeToList(prompt),
        new SamplingParams(Workload.TEMPERATURE, Workload.TOP_P, seed)));
    StringBuilder text = new StringBuilder();
    List<Integer> one = new ArrayList<>(1);
    for (int i = 0; i < maxTokens; i++) {
      one.clear();
      one.add(g.next());
      text.append(tokenizer.decode(one));
    }
    return text.toString();
  }

  ModelSpec model() {
    return model;
  }
}
