package io.baton.actors.app;

import java.util.List;
import java.util.Optional;

/**
 * The models this node serves and how their text becomes tokens. The HTTP layer speaks text; the
 * sessions hold token ids. The orchestrator supplies the implementation from the workers' engines,
 * so this module needs nothing of theirs.
 */
public interface ModelCatalog {

  /** @param maxContext the most prompt plus generated tokens one request may hold */
  record Model(String id, String ownedBy, long created, int maxContext) {}

  /** Text to token ids and back for one model. */
  interface TextCodec {
    List<Integer> encode(String text);

    String decode(List<Integer> tokens);

    /**
     * A decoder for one stream's tokens, one at a time, primed with the tokens the stream held
     * before its first: a resumed stream's text then continues exactly as the uninterrupted one's.
     * By default each token decodes on its own, which is exact for a tokenizer of whole pieces.
     */
    default StreamDecoder decoder(List<Integer> before) {
      return token -> decode(List.of(token));
    }

    /** How this model's chats become a prompt; empty when it has none (chats are then refused). */
    default Optional<ChatFormat> chatFormat() {
      return Optional.of(ChatFormat.GENERIC);
    }
  }

  List<Model> models();

  Optional<TextCodec> codec(String modelId);

  default Optional<Model> model(String id) {
    return models().stream().filter(m -> m.id().equals(id)).findFirst();
  }
}
