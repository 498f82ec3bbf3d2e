package io.baton.workers.engine;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A model that engine servers serve (vLLM, SGLang, llama.cpp), as {@code baton.workers.models}
 * lists it: Baton runs no weights for it, only its tokenizer, to turn the API's text into token ids
 * and back.
 *
 * @param tokenizer the model's {@code tokenizer.json}, on every node that serves its API
 * @param maxContext the most prompt plus generated tokens one request may hold (the engine's
 *     {@code max_model_len})
 * @param chat how its chats become a prompt, or null: chats are then refused
 */
public record ServedModel(String id, Path tokenizer, int maxContext, Chat chat) {

  /**
   * A chat format as three strings: a prefix, each message with {@code {role}} and {@code {content}},
   * then the generation prompt. ChatML, for example, is {@code message = "<|im_start|>{role}\n{content}<|im_end|>\n"},
   * {@code generation-prompt = "<|im_start|>assistant\n"}.
   */
  public record Chat(String prefix, String message, String generationPrompt) {
    public Chat {
      if (!message.contains("{content}")) {
        throw new IllegalArgumentException("chat.message must hold {content}");
      }
    }
  }

  public ServedModel {
    if (id == null || id.isBlank()) {
      throw new IllegalArgumentException("a model needs an id");
    }
    if (maxContext < 2) {
      throw new IllegalArgumentException("model " + id + ": max-context must be at least 2");
    }
  }

  /** Reads {@code baton.workers.models}. */
  public static List<ServedModel> fromConfig(List<? extends Config> entries) {
    List<ServedModel> out = new ArrayList<>();
    for (int i = 0; i < entries.size(); i++) {
      Config m = entries.get(i);
      try {
        Chat chat = m.hasPath("chat") ? new Chat(m.hasPath("chat.prefix") ? m.getString("chat.prefix") : "",
            m.getString("chat.message"), m.getString("chat.generation-prompt")) : null;
        out.add(new ServedModel(m.getString("id"), Path.of(m.getString("tokenizer")), m.getInt("max-context"), chat));
      } catch (ConfigException | IllegalArgumentException e) {
        throw new IllegalArgumentException("baton.workers.models[" + i + "]: " + e.getMessage() + ". Each model needs"
            + " id, tokenizer = \"/path/to/tokenizer.json\" and max-context; chat { message, generation-prompt } is optional", e);
      }
    }
    if (out.stream().map(ServedModel::id).distinct().count() != out.size()) {
      throw new IllegalArgumentException("baton.workers.models: model ids must be unique");
    }
    return List.copyOf(out);
  }

  /** The model as the agent and placement see it: no layers of its own, its tokenizer's vocabulary. */
  public ModelInfo info(int vocabSize) {
    return new ModelInfo(id, vocabSize, 0, 0, 0, maxContext, BlockHash.BLOCK_TOKENS);
  }
}
