package io.baton.actors.session;

import io.baton.actors.CborSerializable;
import java.util.List;
import java.util.Map;

/**
 * What a Responses API request asked for beyond its prompt tokens, kept in the session's
 * {@code Submitted} event: the journal is the response store, so retrieving a response, listing
 * its input items or continuing its conversation reads the session and nothing else. A stored
 * schema, like the events.
 *
 * @param instructions the system message this turn added, or null
 * @param input this turn's input messages, as the client sent them
 * @param metadata the client's key-value pairs, returned with the response
 * @param store false: the response is not retrievable once it has ended
 * @param background the response outlives its request: only then may it be cancelled
 * @param previousResponseId the response this one continues, or null
 */
public record ResponseSpec(
    String instructions,
    List<InputItem> input,
    Map<String, String> metadata,
    boolean store,
    boolean background,
    String previousResponseId)
    implements CborSerializable {

  /** One input message: its role and the texts of its parts, in order. */
  public record InputItem(String role, List<String> texts) implements CborSerializable {
    public InputItem {
      texts = List.copyOf(texts);
    }

    /** The message's text: its parts joined. */
    public String text() {
      return String.join("", texts);
    }
  }

  public ResponseSpec {
    input = List.copyOf(input);
    metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
  }
}
