package io.baton.orchestrator;

import io.baton.actors.app.ChatFormat;
import io.baton.actors.app.IncrementalDecoder;
import io.baton.actors.app.ModelCatalog;
import io.baton.actors.app.StreamDecoder;
import io.baton.workers.engine.ModelSpec;
import io.baton.workers.engine.ReferenceTokenizer;
import io.baton.workers.engine.ServedModel;
import io.baton.workers.engine.ServedModels;
import io.baton.workers.engine.Tokenizer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The models the HTTP API offers, with their tokenizers: the reference models the node's GPUs
 * serve, and the models engine servers serve (their tokenizer.json). A model no GPU serves is not
 * listed, so a request for it is a 404, not a session that waits for a GPU that never comes.
 */
final class NodeModels implements ModelCatalog {
  private final List<Model> models = new ArrayList<>();
  // One codec per model for the node's life: a tokenizer holds its whole vocabulary, and a codec is
  // kept by every open stream, so building one per request cost each stream ~20 KiB of heap.
  private final Map<String, TextCodec> codecs = new LinkedHashMap<>();

  NodeModels(List<ModelSpec> reference, List<ServedModels.Loaded> served) {
    long created = Instant.now().getEpochSecond();
    for (ModelSpec m : reference) {
      models.add(new Model(m.id(), "baton", created, m.maxContext()));
      codecs.put(m.id(), new Codec(new ReferenceTokenizer(m.vocab()), false, Optional.of(ChatFormat.GENERIC)));
    }
    for (ServedModels.Loaded m : served) {
      models.add(new Model(m.model().id(), "baton", created, m.model().maxContext()));
      ServedModel.Chat chat = m.model().chat();
      codecs.put(m.model().id(), new Codec(m.tokenizer(), true, Optional.ofNullable(chat)
          .map(c -> new ChatFormat(c.prefix(), c.message(), c.generationPrompt()))));
    }
  }

  NodeModels(List<ModelSpec> reference) {
    this(reference, List.of());
  }

  @Override
  public List<Model> models() {
    return List.copyOf(models);
  }

  @Override
  public Optional<TextCodec> codec(String modelId) {
    return Optional.ofNullable(codecs.get(modelId));
  }

  /**
   * A model's codec. A reference tokenizer's tokens are whole pieces of text, so each decodes on its
   * own, and Baton's generic chat format suits it; a served model's own tokenizer (its
   * tokenizer.json) decodes streams incrementally, and its chats take its configured format.
   */
  private record Codec(Tokenizer tokenizer, boolean served, Optional<ChatFormat> chatFormat) implements TextCodec {
    @Override
    public List<Integer> encode(String text) {
      return tokenizer.encodeToList(text);
    }

    @Override
    public String decode(List<Integer> tokens) {
      return tokenizer.decode(tokens);
    }

    @Override
    public StreamDecoder decoder(List<Integer> before) {
      return served ? new IncrementalDecoder(this::decode, before) : TextCodec.super.decoder(before);
    }

  }
}
