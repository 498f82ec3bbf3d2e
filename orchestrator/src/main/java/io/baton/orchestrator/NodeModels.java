package io.baton.orchestrator;

import io.baton.http.ModelCatalog;
import io.baton.workers.engine.ModelSpec;
import io.baton.workers.engine.ReferenceTokenizer;
import io.baton.workers.engine.Tokenizer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The models the HTTP API offers: the reference models the node's GPUs serve, with their
 * tokenizers. A model no GPU serves is not listed, so a request for it is a 404, not a session that
 * waits for a GPU that never comes.
 */
final class ReferenceModels implements ModelCatalog {
  private final List<ModelSpec> served;
  // One codec per model for the node's life: a tokenizer holds its whole vocabulary, and a codec is
  // kept by every open stream, so building one per request cost each stream ~20 KiB of heap.
  private final Map<String, TextCodec> codecs;
  private final long created = Instant.now().getEpochSecond();

  ReferenceModels(List<ModelSpec> served) {
    this.served = List.copyOf(served);
    this.codecs = this.served.stream()
        .collect(Collectors.toUnmodifiableMap(ModelSpec::id, m -> codecOf(new ReferenceTokenizer(m.vocab())),
            (a, b) -> a));
  }

  @Override
  public List<Model> models() {
    return served.stream().map(m -> new Model(m.id(), "baton", created, m.maxContext())).toList();
  }

  @Override
  public Optional<TextCodec> codec(String modelId) {
    return Optional.ofNullable(codecs.get(modelId));
  }

  private static TextCodec codecOf(Tokenizer tokenizer) {
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
  }
}
