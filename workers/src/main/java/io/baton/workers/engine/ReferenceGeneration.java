package io.baton.workers.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A generation on the reference engine. Its block table starts with shared pages (restored or found
 * in the cache) and continues with pages it computes; each page it fills is sealed, hashed and
 * offered to the cache, so later generations with the same prefix can skip it.
 *
 * <p>A sampled token is fed through the model lazily, at the next step or export, because the last
 * token of a finished generation never needs its keys and values.
 */
final class ReferenceGeneration implements Generation {
  private final ReferenceEngine engine;
  private final ModelSpec spec;
  private final SamplingParams sampling;
  private int[] tokens; // grows with the context: most generations stay far below max-context
  private int sampled; // the token the last logits chose, sampled at once so no logits are kept
  private final List<KvPage> pages = new ArrayList<>();
  private final List<String> hashes = new ArrayList<>();
  private int length; // tokens in the context
  private int fed; // tokens whose keys and values are in the pages
  private int nextIndex;
  private PrefillStats prefill;

  ReferenceGeneration(ReferenceEngine engine, GenerationRequest request) {
    this.engine = engine;
    this.spec = engine.spec();
    this.sampling = request.sampling();
    int[] context = request.contextTokens();
    if (context.length > spec.maxContext()) {
      throw new IllegalArgumentException(
          "context of " + context.length + " tokens exceeds " + spec.id() + "'s " + spec.maxContext());
    }
    for (int t : context) {
      if (t < 0 || t >= spec.vocab()) {
        throw new IllegalArgumentException("token " + t + " is outside " + spec.id() + "'s vocabulary");
      }
    }
    tokens = Arrays.copyOf(context, Math.min(spec.maxContext(), context.length + BlockHash.BLOCK_TOKENS));
    length = context.length;
    nextIndex = request.generated().size();
  }

  /** Reuses what it can, then computes the rest of the context up to the last token's logits. */
  void prefill(List<KvBlock> restored, double slowdown) {
    String[] chain = BlockHash.chain(tokens, length, spec.id());
    if (restored.size() > chain.length) {
      throw new IllegalArgumentException(
          restored.size() + " restored blocks but the context has " + chain.length + " full blocks");
    }
    for (int b = 0; b < restored.size(); b++) {
      KvBlock block = restored.get(b);
      String parent = b == 0 ? BlockHash.ROOT : chain[b - 1];
      // The hash covers the model id, the parent chain and the tokens, so one comparison checks that
      // the block belongs to this model and this exact prefix.
      if (!block.hash().equals(chain[b]) || !block.parentHash().equals(parent)) {
        throw new IllegalArgumentException(
            "restored block " + b + " (" + block.hash() + ") is not block " + chain[b] + " of this context");
      }
      KvPage page = KvPayload.decode(block.payloadUnsafe(), spec.layers(), spec.width());
      engine.cache().put(block.hash(), page);
      addSealed(page, block.hash());
    }
    int restoredBlocks = pages.size();
    for (int b = restoredBlocks; b < chain.length; b++) {
      var cached = engine.cache().lookup(chain[b]);
      if (cached.isEmpty()) {
        break;
      }
      addSealed(cached.get(), chain[b]);
    }
    int reused = pages.size() * BlockHash.BLOCK_TOKENS;
    int computed;
    if (reused == length) {
      // Every token's keys and values are reused, but logits are not stored: run the last token
      // again without writing its (already sealed, identical) keys and values.
      forward(length - 1, false, true);
      computed = 1;
    } else {
      for (int pos = reused; pos < length; pos++) {
        feed(pos, pos == length - 1);
      }
      computed = length - reused;
    }
    fed = length;
    prefill =
        new PrefillStats(
            length,
            restoredBlocks * BlockHash.BLOCK_TOKENS,
            reused - restoredBlocks * BlockHash.BLOCK_TOKENS,
            computed,
            engine.timing().prefill(computed, slowdown));
  }

  @Override
  public PrefillStats prefill() {
    return prefill;
  }

  @Override
  public Step step() {
    if (length >= spec.maxContext()) {
      throw new IllegalStateException(spec.id() + "'s context of " + spec.maxContext() + " is full");
    }
    engine.hooks().beforeDecodeStep();
    catchUp();
    int token = sampled;
    if (length == tokens.length) {
      tokens = Arrays.copyOf(tokens, Math.min(spec.maxContext(), tokens.length * 2));
    }
    tokens[length++] = token;
    return new Step(token, nextIndex++, engine.timing().decode(engine.hooks().slowdown()));
  }

  @Override
  public int nextIndex() {
    return nextIndex;
  }

  @Override
  public int contextLength() {
    return length;
  }

  @Override
  public List<KvBlock> exportBlocks(int fromBlock) {
    // Feeding the last sampled token first lets a checkpoint taken right at a block boundary include
    // that block; the next step would compute the same bits anyway.
    catchUp();
    List<KvBlock> blocks = new ArrayList<>();
    for (int b = Math.max(0, fromBlock); b < hashes.size(); b++) {
      String parent = b == 0 ? BlockHash.ROOT : hashes.get(b - 1);
      int from = b * BlockHash.BLOCK_TOKENS;
      List<Integer> blockTokens =
          Arrays.stream(tokens, from, from + BlockHash.BLOCK_TOKENS).boxed().toList();
      blocks.add(
          new KvBlock(
              hashes.get(b),
              parent,
              blockTokens,
              KvPayload.encode(pages.get(b), spec.layers(), spec.width())));
    }
    return blocks;
  }

  private void catchUp() {
    if (fed < length) {
      feed(fed, true);
      fed = length;
    }
  }

  /** Computes position pos into the private tail page, sealing the page when it fills. */
  private void feed(int pos, boolean wantLogits) {
    int slot = pos % BlockHash.BLOCK_TOKENS;
    if (slot == 0) {
      pages.add(new KvPage(spec.layers(), spec.width()));
    }
    KvPage page = pages.get(pages.size() - 1);
    forward(pos, true, wantLogits);
    page.markFilled(slot + 1);
    if (page.full()) {
      String parent = hashes.isEmpty() ? BlockHash.ROOT : hashes.get(hashes.size() - 1);
      String hash = BlockHash.of(parent, tokens, pos + 1 - BlockHash.BLOCK_TOKENS, spec.id());
      hashes.add(hash);
      engine.cache().put(hash, page);
    }
  }

  /**
   * Runs one position on this thread's working memory. The token the logits choose is sampled right
   * away (for the index the next step will return), so a waiting generation holds no scratch
   * arrays: with thousands of open streams those were a quarter of the simulated GPU's heap.
   */
  private void forward(int pos, boolean storeKv, boolean wantLogits) {
    Transformer.Scratch scratch = engine.transformer().scratch();
    engine.transformer().forward(tokens[pos], pos, pages, storeKv, wantLogits, scratch);
    if (wantLogits) {
      sampled = Sampler.sample(scratch.logits, sampling, nextIndex);
    }
  }

  private void addSealed(KvPage page, String hash) {
    pages.add(page);
    hashes.add(hash);
  }
}
