package io.baton.workers.engine;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * A model's own tokenizer, from its {@code tokenizer.json} (Hugging Face's format, run by Hugging
 * Face's Rust tokenizers through DJL): for models that engine servers serve. Encoding adds the
 * model's special tokens (a BOS, where its post-processor says so) as vLLM does for a completion's
 * prompt; decoding skips them, as vLLM's does.
 */
public final class HfTokenizer implements Tokenizer {
  private final HuggingFaceTokenizer tokenizer;
  private final int vocabSize;
  private final Path source;

  private HfTokenizer(HuggingFaceTokenizer tokenizer, int vocabSize, Path source) {
    this.tokenizer = tokenizer;
    this.vocabSize = vocabSize;
    this.source = source;
  }

  /** @throws IllegalArgumentException when the file is missing or is not a tokenizer.json */
  public static HfTokenizer load(Path tokenizerJson) {
    if (!Files.isReadable(tokenizerJson)) {
      throw new IllegalArgumentException("no readable tokenizer.json at " + tokenizerJson
          + "; copy the model's tokenizer.json (from its Hugging Face repository) to every node");
    }
    try {
      int vocab = vocabSize(new ObjectMapper().readTree(tokenizerJson.toFile()));
      // No truncation and no padding: a prompt longer than the model's context is refused by Baton, not cut.
      HuggingFaceTokenizer hf = HuggingFaceTokenizer.newInstance(tokenizerJson,
          Map.of("truncation", "false", "padding", "false", "addSpecialTokens", "true"));
      return new HfTokenizer(hf, vocab, tokenizerJson);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(tokenizerJson + " is not a tokenizer.json Baton can load: " + e.getMessage(), e);
    }
  }

  /** One more than the highest id in the model's vocabulary or its added tokens. */
  private static int vocabSize(JsonNode json) {
    int highest = -1;
    for (JsonNode id : json.path("model").path("vocab")) {
      highest = Math.max(highest, id.asInt());
    }
    for (JsonNode added : json.path("added_tokens")) {
      highest = Math.max(highest, added.path("id").asInt());
    }
    if (highest < 0) {
      throw new IllegalArgumentException("it has no model.vocab");
    }
    return highest + 1;
  }

  @Override
  public int vocabSize() {
    return vocabSize;
  }

  @Override
  public int[] encode(String text) {
    return Arrays.stream(tokenizer.encode(text, true, false).getIds()).mapToInt(Math::toIntExact).toArray();
  }

  @Override
  public String decode(int[] tokens) {
    long[] ids = new long[tokens.length];
    for (int i = 0; i < tokens.length; i++) {
      if (tokens[i] < 0 || tokens[i] >= vocabSize) {
        throw new IllegalArgumentException("token " + tokens[i] + " is outside the vocabulary of " + source);
      }
      ids[i] = tokens[i];
    }
    return tokenizer.decode(ids, true);
  }
}
