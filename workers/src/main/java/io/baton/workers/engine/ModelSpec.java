package io.baton.workers.engine;

/**
 * A reference model: its shape and the seed its weights are drawn from. Two engines built from equal
 * specs hold bit-identical weights, which is what lets a session move between workers.
 *
 * @param seed the weights' seed; changing it makes a different model, so give it a different id
 */
public record ModelSpec(
    String id, int layers, int width, int heads, int vocab, int maxContext, long seed) {

  /** MLP hidden size as a multiple of the width, as in GPT-2. */
  static final int MLP_RATIO = 4;

  public ModelSpec {
    if (id == null || id.isBlank()) {
      throw new IllegalArgumentException("a model needs an id");
    }
    if (layers < 1 || width < 2 || heads < 1 || width % heads != 0 || (width / heads) % 2 != 0) {
      throw new IllegalArgumentException(
          "model " + id + ": need layers >= 1 and width divisible by heads into even head sizes");
    }
    if (vocab < ReferenceTokenizer.MIN_VOCAB || vocab > ReferenceTokenizer.MAX_VOCAB) {
      throw new IllegalArgumentException(
          "model " + id + ": vocab must be between " + ReferenceTokenizer.MIN_VOCAB + " and "
              + ReferenceTokenizer.MAX_VOCAB);
    }
    if (maxContext < BlockHash.BLOCK_TOKENS) {
      throw new IllegalArgumentException("model " + id + ": max context below one block");
    }
  }

  public ModelInfo info() {
    return new ModelInfo(id, vocab, layers, width, heads, maxContext, BlockHash.BLOCK_TOKENS);
  }

  int headSize() {
    return width / heads;
  }

  int hidden() {
    return width * MLP_RATIO;
  }
}
