package io.baton.workers.engine;

import java.util.Arrays;
import java.util.List;

/**
 * The forward pass of one token: embedding plus sinusoidal position, then per layer pre-norm causal
 * self-attention over the paged KV cache and a GELU MLP, then the final norm and the logits.
 *
 * <p>Prefill and decode both run this one-token pass, and every sum runs in index order on floats
 * (Java float arithmetic is strict IEEE, and no streams or threads reorder it). So the keys and
 * values of position p are the same bits whether they were computed during prefill, during decode,
 * or on another machine, which is what makes restored and recomputed caches interchangeable.
 */
final class Transformer {
  private static final float NORM_EPSILON = 1e-5f;

  private final ModelSpec spec;
  private final TransformerWeights weights;
  private final ThreadLocal<Scratch> scratch;

  Transformer(ModelSpec spec) {
    this.spec = spec;
    this.weights = TransformerWeights.of(spec);
    this.scratch = ThreadLocal.withInitial(() -> new Scratch(spec));
  }

  /** This thread's working memory: a forward pass never spans threads, so generations share it. */
  Scratch scratch() {
    return scratch.get();
  }

  /** Working memory of one forward pass; one per thread, so generations can run on many threads. */
  static final class Scratch {
    final float[] x;
    final float[] normed;
    final float[] q;
    final float[] k;
    final float[] v;
    final float[] attended;
    final float[] projected;
    final float[] hidden;
    final float[] scores;
    final float[] logits;

    Scratch(ModelSpec spec) {
      int w = spec.width();
      x = new float[w];
      normed = new float[w];
      q = new float[w];
      k = new float[w];
      v = new float[w];
      attended = new float[w];
      projected = new float[w];
      hidden = new float[spec.hidden()];
      scores = new float[spec.maxContext()];
      logits = new float[spec.vocab()];
    }
  }

  /**
   * Runs token at position pos. Positions before pos are read from the pages; pos itself uses the
   * freshly computed key and value, and stores them only if {@code storeKv} (a page that is already
   * full and shared must not be written, and would receive the same bits anyway). Logits, the
   * costliest part for a small model, are computed into {@code s.logits} only when wanted.
   */
  void forward(int token, int pos, List<KvPage> pages, boolean storeKv, boolean wantLogits, Scratch s) {
    int w = spec.width();
    System.arraycopy(weights.embedding, token * w, s.x, 0, w);
    float[] inv = weights.inverseFrequency;
    for (int i = 0; i < inv.length; i++) {
      double angle = pos * (double) inv[i];
      s.x[2 * i] += (float) StrictMath.sin(angle);
      s.x[2 * i + 1] += (float) StrictMath.cos(angle);
    }
    KvPage page = storeKv ? pages.get(pos / BlockHash.BLOCK_TOKENS) : null;
    int slot = pos % BlockHash.BLOCK_TOKENS;
    for (int l = 0; l < weights.layers.length; l++) {
      TransformerWeights.Layer layer = weights.layers[l];
      layerNorm(s.x, layer.norm1Gain, layer.norm1Bias, s.normed);
      matVec(s.normed, layer.query, w, s.q, null);
      matVec(s.normed, layer.key, w, s.k, null);
      matVec(s.normed, layer.value, w, s.v, null);
      if (storeKv) {
        page.store(l, slot, s.k, s.v, w);
      }
      attend(l, pos, pages, s);
      matVec(s.attended, layer.output, w, s.projected, null);
      add(s.x, s.projected);
      layerNorm(s.x, layer.norm2Gain, layer.norm2Bias, s.normed);
      matVec(s.normed, layer.up, spec.hidden(), s.hidden, layer.upBias);
      gelu(s.hidden);
      matVec(s.hidden, layer.down, w, s.projected, layer.downBias);
      add(s.x, s.projected);
    }
    if (wantLogits) {
      layerNorm(s.x, weights.finalGain, weights.finalBias, s.normed);
      matVec(s.normed, weights.unembedding, spec.vocab(), s.logits, null);
    }
  }

  private void attend(int layer, int pos, List<KvPage> pages, Scratch s) {
    int w = spec.width();
    int hs = spec.headSize();
    float scale = (float) (1.0 / Math.sqrt(hs));
    Arrays.fill(s.attended, 0f);
    for (int h = 0; h < spec.heads(); h++) {
      int off = h * hs;
      float max = Float.NEGATIVE_INFINITY;
      for (int p = 0; p < pos; p++) {
        KvPage page = pages.get(p / BlockHash.BLOCK_TOKENS);
        int base = (p % BlockHash.BLOCK_TOKENS) * w + off;
        float dot = 0f;
        for (int d = 0; d < hs; d++) {
          dot += s.q[off + d] * page.key(layer, base + d);
        }
        s.scores[p] = dot * scale;
        max = Math.max(max, s.scores[p]);
      }
      // The current position's key and value are the ones just computed (stored or not).
      float own = 0f;
      for (int d = 0; d < hs; d++) {
        own += s.q[off + d] * s.k[off + d];
      }
      s.scores[pos] = own * scale;
      max = Math.max(max, s.scores[pos]);
      float sum = 0f;
      for (int p = 0; p <= pos; p++) {
        s.scores[p] = (float) StrictMath.exp(s.scores[p] - max);
        sum += s.scores[p];
      }
      for (int p = 0; p < pos; p++) {
        KvPage page = pages.get(p / BlockHash.BLOCK_TOKENS);
        int base = (p % BlockHash.BLOCK_TOKENS) * w + off;
        float weight = s.scores[p] / sum;
        for (int d = 0; d < hs; d++) {
          s.attended[off + d] += weight * page.value(layer, base + d);
        }
      }
      float weight = s.scores[pos] / sum;
      for (int d = 0; d < hs; d++) {
        s.attended[off + d] += weight * s.v[off + d];
      }
    }
  }

  private static void layerNorm(float[] x, float[] gain, float[] bias, float[] out) {
    int n = x.length;
    float mean = 0f;
    for (int i = 0; i < n; i++) {
      mean += x[i];
    }
    mean /= n;
    float variance = 0f;
    for (int i = 0; i < n; i++) {
      float d = x[i] - mean;
      variance += d * d;
    }
    variance /= n;
    // Math.sqrt is correctly rounded by specification, unlike exp, so it is safe here.
    float inv = (float) (1.0 / Math.sqrt(variance + NORM_EPSILON));
    for (int i = 0; i < n; i++) {
      out[i] = (x[i] - mean) * inv * gain[i] + bias[i];
    }
  }

  /** out = in · m (+ bias), with m row-major [in.length][outSize]; each sum runs in row order. */
  private static void matVec(float[] in, float[] m, int outSize, float[] out, float[] bias) {
    if (bias == null) {
      Arrays.fill(out, 0, outSize, 0f);
    } else {
      System.arraycopy(bias, 0, out, 0, outSize);
    }
    for (int i = 0; i < in.length; i++) {
      float xi = in[i];
      int row = i * outSize;
      for (int j = 0; j < outSize; j++) {
        out[j] += xi * m[row + j];
      }
    }
  }

  private static void gelu(float[] a) {
    for (int i = 0; i < a.length; i++) {
      double x = a[i];
      a[i] = (float) (0.5 * x * (1 + StrictMath.tanh(0.7978845608028654 * (x + 0.044715 * x * x * x))));
    }
  }

  private static void add(float[] x, float[] delta) {
    for (int i = 0; i < x.length; i++) {
      x[i] += delta[i];
    }
  }
}
