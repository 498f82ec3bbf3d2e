package io.baton.http.openai;

import java.util.List;
import java.util.Set;

/**
 * Turns chat messages into one prompt text. The reference models have no chat training, so the
 * template only needs to be stable and printable: the same messages always give the same prompt,
 * which keeps a chat request reproducible with its seed.
 */
final class ChatTemplate {
  static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant", "tool");

  record Message(String role, String content) {}

  private ChatTemplate() {}

  static String render(List<Message> messages) {
    StringBuilder prompt = new StringBuilder();
    for (Message m : messages) {
      prompt.append(m.role()).append(": ").append(m.content()).append('\n');
    }
    return prompt.append("assistant:").toString();
  }
}
