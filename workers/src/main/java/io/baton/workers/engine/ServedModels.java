package io.baton.workers.engine;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The models engine servers serve on this node's behalf, each with its tokenizer loaded once for
 * the node's life (a tokenizer.json runs to megabytes): the agent's engine clients and the HTTP
 * API share them.
 */
public final class ServedModels {
  /** A served model with its loaded tokenizer. */
  public record Loaded(ServedModel model, HfTokenizer tokenizer) {
    public ModelInfo info() {
      return model.info(tokenizer.vocabSize());
    }
  }

  public static final ServedModels NONE = new ServedModels(Map.of());

  private final Map<String, Loaded> byId;

  private ServedModels(Map<String, Loaded> byId) {
    this.byId = Map.copyOf(byId);
  }

  /**
   * Loads every model's tokenizer; a missing or broken file stops the node at start, naming it.
   *
   * @param referenceIds the reference models' ids, which a served model may not reuse
   */
  public static ServedModels load(List<ServedModel> models, List<String> referenceIds) {
    Map<String, Loaded> out = new LinkedHashMap<>();
    for (ServedModel m : models) {
      if (referenceIds.contains(m.id())) {
        throw new IllegalArgumentException("baton.workers.models: " + m.id() + " is a reference model's id; give the"
            + " served model another");
      }
      out.put(m.id(), new Loaded(m, HfTokenizer.load(m.tokenizer())));
    }
    return new ServedModels(out);
  }

  public Optional<Loaded> get(String id) {
    return Optional.ofNullable(byId.get(id));
  }

  public List<Loaded> all() {
    return List.copyOf(byId.values());
  }
}
