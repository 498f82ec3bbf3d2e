package io.baton.actors.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class ChatFormatTest {
  private static final List<ChatFormat.Turn> TURNS = List.of(new ChatFormat.Turn("system", "Be brief."),
      new ChatFormat.Turn("user", "What is {role}?"));

  @Test
  void theGenericFormatIsRoleColonContentLinesThenTheAssistant() {
    assertEquals("system: Be brief.\nuser: What is {role}?\nassistant:", ChatFormat.GENERIC.render(TURNS));
  }

  @Test
  void aModelsFormatWrapsEachMessageAndLeavesTheClientsTextAsWritten() {
    ChatFormat chatMl = new ChatFormat("", "<|im_start|>{role}\n{content}<|im_end|>\n", "<|im_start|>assistant\n");
    assertEquals("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nWhat is {role}?<|im_end|>\n"
        + "<|im_start|>assistant\n", chatMl.render(TURNS));
  }

  @Test
  void aFormatWithoutContentIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> new ChatFormat("", "{role}", ""));
  }
}
