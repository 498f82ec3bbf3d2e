package io.baton.orchestrator;

import io.baton.http.ModelCatalog;
import io.baton.workers.engine.ModelSpec;
import io.baton.workers.engine.ReferenceTokenizer;
import io.baton.workers.engine.Tokenizer;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The models the HTTP API offers: the reference models the node's GPUs serve, with their
 * tokenizers. A model no GPU serves is not listed, so a request for it is a 404, not a session that
 * waits for a GPU that never comes.
 */
final class ReferenceModels implements ModelCatalog {
  private final List<ModelSpec> served;
  private final long created = Instant.now().getEpochSecond();

  ReferenceModels(List<ModelSpec> served) {
    this.served = List.copyOf(served);
  }

  @Override
  public List<Model> models() {
    return served.stream().map(m -> new Model(m.id(), "baton", created, m.maxContext())).toList();
  }

  @Override
  public Optional<TextCodec> codec(String modelId) {
    return served.stream().filter(m -> m.id().equals(modelId)).findFirst().map(m -> {
      Tokenizer tokenizer = new ReferenceTokenizer(m.vocab());
      return new TextCodec() {
        @Override
        public List<Integer> encode(String text) {
          return tokenizer.encodeToList(text);
        }

        @Override
        public String decode(List<Integer> tokens) {
          return tokenizer.decode(tokens);
        }
      };
    });
  }
}
