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
  void aConversationContinuesAfterTheAnswerWithTheEndOfItsMessageThenTheNewTurns() {
    ChatFormat chatMl = new ChatFormat("<s>", "<|im_start|>{role}\n{content}<|im_end|>\n", "<|im_start|>assistant\n");
    List<ChatFormat.Turn> next = List.of(new ChatFormat.Turn("user", "And then?"));
    String first = chatMl.render(TURNS);
    String whole = chatMl.render(List.of(TURNS.get(0), TURNS.get(1), new ChatFormat.Turn("assistant", "It is."),
        next.get(0)));
    // The earlier prompt, the answer, the continuation: exactly the conversation rendered at once.
    assertEquals(whole, first + "It is." + chatMl.continuation(next));
    assertEquals("\nuser: And then?\nassistant:", ChatFormat.GENERIC.continuation(next));
  }

  @Test
  void aFormatWithoutContentIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> new ChatFormat("", "{role}", ""));
  }
}
