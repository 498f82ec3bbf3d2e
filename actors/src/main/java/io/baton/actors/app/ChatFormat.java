package io.baton.actors.app;

import java.util.List;
import java.util.Set;

/**
 * How a model's chat messages become one prompt text: a prefix, each message by a pattern with
 * {@code {role}} and {@code {content}}, then the generation prompt that asks the model to answer as
 * the assistant. The reference models have no chat training, so theirs ({@link #GENERIC}) only
 * needs to be stable and printable; a served model's is its own format (ChatML, Llama 3's headers),
 * written as these three strings in its configuration.
 */
public record ChatFormat(String prefix, String message, String generationPrompt) {
  public static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant", "tool");

  /** The reference models' format: "role: content" lines, then "assistant:". */
  public static final ChatFormat GENERIC = new ChatFormat("", "{role}: {content}\n", "assistant:");

  /** One chat message. */
  public record Turn(String role, String content) {}

  public ChatFormat {
    if (prefix == null || message == null || generationPrompt == null || !message.contains("{content}")) {
      throw new IllegalArgumentException("a chat format needs prefix, message and generation-prompt, and its message"
          + " must hold {content}");
    }
  }

  public String render(List<Turn> turns) {
    return prefix + turns(turns) + generationPrompt;
  }

  /**
   * What follows a conversation's earlier prompt and the assistant's answer to it: the end of the
   * assistant's message, the new turns, the generation prompt. Appended to the earlier tokens, so
   * the new prompt starts with exactly the tokens whose KV blocks the earlier turn left behind.
   */
  public String continuation(List<Turn> newTurns) {
    String end = message.substring(message.indexOf("{content}") + "{content}".length()).replace("{role}", "assistant");
    return end + turns(newTurns) + generationPrompt;
  }

  private String turns(List<Turn> turns) {
    StringBuilder text = new StringBuilder();
    for (Turn t : turns) {
      // The role first: the content, which the client wrote, is inserted last and never re-read.
      text.append(message.replace("{role}", t.role()).replace("{content}", t.content()));
    }
    return text.toString();
  }
}
