package io.baton.workers.engine.remote;

import java.util.Arrays;
import java.util.Locale;

/** Which server a GPU's engine is; each speaks its own wire ({@link EngineDialect}). */
public enum EngineKind {
  VLLM("vllm"),
  SGLANG("sglang"),
  LLAMACPP("llamacpp"),
  /** {@code baton engine serve}: vLLM's wire plus the sampling index, so resumes stay token-exact. */
  BATON("baton");

  private final String id;

  EngineKind(String id) {
    this.id = id;
  }

  public String id() {
    return id;
  }

  public EngineDialect dialect() {
    return switch (this) {
      case VLLM -> new VllmDialect(false);
      case BATON -> new VllmDialect(true);
      case SGLANG -> new SglangDialect();
      case LLAMACPP -> new LlamaCppDialect();
    };
  }

  public static EngineKind of(String id) {
    return Arrays.stream(values()).filter(k -> k.id.equals(id.toLowerCase(Locale.ROOT))).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("engine kind '" + id + "' is not one of "
            + Arrays.stream(values()).map(EngineKind::id).toList()));
  }
}
