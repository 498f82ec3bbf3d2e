package io.baton.workers.engine;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Seeded weights of a GPT-style decoder. Matrices are row-major [in][out]. Drawn in one fixed order
 * from one generator, so a spec always yields the same bits. Immutable once built and shared by
 * every engine of the same spec, which keeps creating engines (one per simulated GPU) cheap.
 */
final class TransformerWeights {
  private static final Map<ModelSpec, TransformerWeights> BUILT = new ConcurrentHashMap<>();

  final float[] embedding; // [vocab][width]
  final float[] unembedding; // [width][vocab]
  final float[] inverseFrequency; // [width / 2], for sinusoidal positions
  final Layer[] layers;
  final float[] finalGain;
  final float[] finalBias;

  /** Layer-norm gains start at 1 and biases at 0, as in a freshly initialised model. */
  static final class Layer {
    final float[] norm1Gain;
    final float[] norm1Bias;
    final float[] query;
    final float[] key;
    final float[] value;
    final float[] output;
    final float[] norm2Gain;
    final float[] norm2Bias;
    final float[] up; // [width][hidden]
    final float[] upBias;
    final float[] down; // [hidden][width]
    final float[] downBias;

    Layer(ModelSpec spec, SplitMix64 rng) {
      int w = spec.width();
      int h = spec.hidden();
      norm1Gain = ones(w);
      norm1Bias = new float[w];
      query = matrix(rng, w, w);
      key = matrix(rng, w, w);
      value = matrix(rng, w, w);
      output = matrix(rng, w, w);
      norm2Gain = ones(w);
      norm2Bias = new float[w];
      up = matrix(rng, w, h);
      upBias = new float[h];
      down = matrix(rng, h, w);
      downBias = new float[w];
    }
  }

  private TransformerWeights(ModelSpec spec) {
    SplitMix64 rng = new SplitMix64(spec.seed());
    embedding = fill(rng, spec.vocab() * spec.width(), Math.sqrt(3));
    layers = new Layer[spec.layers()];
    for (int l = 0; l < layers.length; l++) {
      layers[l] = new Layer(spec, rng);
    }
    finalGain = ones(spec.width());
    finalBias = new float[spec.width()];
    // Logits with a standard deviation near 3 give peaked but not one-hot distributions, so
    // temperature and top_p visibly matter.
    unembedding = fill(rng, spec.width() * spec.vocab(), 3 * Math.sqrt(3.0 / spec.width()));
    inverseFrequency = new float[spec.width() / 2];
    for (int i = 0; i < inverseFrequency.length; i++) {
      inverseFrequency[i] = (float) StrictMath.pow(10000.0, -2.0 * i / spec.width());
    }
  }

  static TransformerWeights of(ModelSpec spec) {
    return BUILT.computeIfAbsent(spec, TransformerWeights::new);
  }

  /** Uniform weights with variance 1 / fan-in, which keeps activations near unit scale. */
  private static float[] matrix(SplitMix64 rng, int in, int out) {
    return fill(rng, in * out, Math.sqrt(3.0 / in));
  }

  private static float[] fill(SplitMix64 rng, int n, double bound) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = rng.nextSymmetric(bound);
    }
    return a;
  }

  private static float[] ones(int n) {
    float[] a = new float[n];
    Arrays.fill(a, 1f);
    return a;
  }
}
